// The hospital desks of the reference web till: an outpatient visit step by step (/visits) and an inpatient stay
// from admission to the discharge settlement (/stays), over the agent's HTTP API (docs/agent-api.md). Plain
// JavaScript on till.js's helpers (api, fill, cell, show, keyFor, addLine, cartLines, guarded); no build step.
"use strict";
const hosp = { stay: null, stayQuote: null, visit: null, visitQuote: null };
const STATE_NAMES = { admitted: "在院", discharged: "已出院", settled: "已结算", cancelled: "已取消",
  registered: "已挂号" };
// what the cashier confirms at discharge: the 2303 split, in the order the 出院结算单 prints it
const STAY_FIGURES = [["medfee_sumamt", "医疗费总额"], ["fulamt_ownpay_amt", "全自费"], ["overlmt_selfpay", "超限价自费"],
  ["preselfpay_amt", "先行自付"], ["inscp_scp_amt", "符合政策范围"], ["act_pay_dedc", "本次起付线"],
  ["hifp_pay", "统筹基金支付"], ["fund_pay_sumamt", "基金支付合计"], ["psn_part_amt", "个人负担"],
  ["acct_pay", "个人账户支付（含共济）"], ["acct_mulaid_pay", "其中共济账户"], ["wallet_pay", "医保钱包"],
  ["psn_cash_pay", "个人现金"]];
const SOURCE_NAMES = { own: "本人账户", funder: "共济账户", pool: "家庭共济账户", wallet: "医保钱包" };
const FEE_SPLIT = ["inscp_scp_amt", "preselfpay_amt", "overlmt_amt", "fulamt_ownpay_amt"];

function value(id) { return $(id).value.trim(); }
// Who a step names: the credential shown again at settlement, else the patient identified above.
function patientFor(againId) {
  const again = againId ? value(againId) : "";
  if (again) return { code: again };
  if (state.patient) return { patient_id: state.patient.patient_id };
  return { code: value("code") };
}
function button(label, onclick) {
  const td = document.createElement("td");
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.onclick = guarded(onclick);
  td.appendChild(b);
  return td;
}
function feeRow(fee, first, onDelete) {
  return [cell(first), cell(fee.feedetl_sn), cell(fee.line.name), cell(fee.line.qty, true), cell(fee.line.amount, true),
    ...FEE_SPLIT.map((k) => cell(fee.split[k] || "", true)),
    fee.deleted ? cell("已删除") : (onDelete ? button("删除", onDelete) : cell(""))];
}
function legRows(legs, cash) {
  const rows = legs.map((leg) => [cell(leg.label), cell(leg.amount, true)]);
  rows.push([cell("个人现金"), cell(cash, true)]);
  return rows;
}
function freshLines(tbody) { tbody.replaceChildren(); addLine(undefined, tbody); }
async function pick(select, path, key, label) {
  const listed = (await api("GET", path))[key];
  select.replaceChildren(...listed.map((item) => {
    const option = document.createElement("option");
    option.value = item.mdtrt_id;
    option.textContent = label(item);
    return option;
  }));
}

// -- the inpatient stay ------------------------------------------------------------------------
async function admitStay() {
  const body = Object.assign(patientFor(null), {
    ipt_no: value("stay-ipt-no"), dept_code: value("stay-dept-code"), dept_name: value("stay-dept-name"),
    bed: value("stay-bed"), doctor_code: value("stay-doctor-code"), doctor_name: value("stay-doctor-name"),
    diagnosis_code: value("stay-diag-code"), diagnosis_name: value("stay-diag-name"), begntime: value("stay-begntime") });
  const stay = await api("POST", "/stays", body);
  await openStay(stay.mdtrt_id);
  await listStays();
}

async function listStays() {
  await pick($("stay-pick"), "/stays", "stays", (s) => `${s.ipt_no} ${s.patient} ${STATE_NAMES[s.state]}（${s.mdtrt_id}）`);
}

async function openStay(mdtrtId) {
  const stay = await api("GET", `/stays/${mdtrtId}`);
  hosp.stay = stay;
  $("stay-info").textContent = `住院号 ${stay.ipt_no}　患者 ${stay.patient}　科室 ${stay.dept_name}　` +
    `状态 ${STATE_NAMES[stay.state]}　入院 ${stay.begntime}` + (stay.endtime ? `　出院 ${stay.endtime}` : "") +
    `　就诊号 ${stay.mdtrt_id}`;
  const open = stay.state === "admitted" || stay.state === "discharged";
  fill($("stay-fees").tBodies[0], stay.fees.map((fee) => feeRow(fee, fee.day, open ? () => deleteStayFee(fee.feedetl_sn)
    : null)));
  show($("stay-view"), true);
  show($("stay-batch"), stay.state === "admitted");  // fees only while in hospital (cancel the discharge to add)
  show($("stay-quote-view"), false);
  show($("stay-settled-view"), stay.state === "settled");
  if (stay.state === "settled") $("stay-receipt").textContent = (await api("GET", `/stays/${mdtrtId}/receipt`)).receipt;
}

// A fee batch from a file, in the CLI's cart format (`pos-plugin stay fees --file`): a JSON list of lines or
// {"lines": [...]} (a stay's may name its "day"); the lines fill the batch's rows, to check before uploading.
async function readLinesFile(file, tbody, dayId) {
  let parsed;
  try { parsed = JSON.parse(await file.text()); } catch (e) {
    showError({ code: "ERR_INPUT", message: `费用文件不是合法的 JSON：${e.message}` });
    return;
  }
  const lines = Array.isArray(parsed) ? parsed : parsed && parsed.lines;
  if (!Array.isArray(lines)) {
    showError({ code: "ERR_INPUT", message: "费用文件应为费用行列表或 {\"lines\": [...]}" });
    return;
  }
  showError(null);
  if (dayId && parsed.day) $(dayId).value = parsed.day;
  tbody.replaceChildren();
  lines.forEach((line) => addLine(line, tbody));
}

async function uploadStayFees() {
  const body = { lines: cartLines($("stay-lines").tBodies[0]) };
  if (value("stay-day")) body.day = value("stay-day");
  await api("POST", `/stays/${hosp.stay.mdtrt_id}/fees`, body);
  freshLines($("stay-lines").tBodies[0]);
  await openStay(hosp.stay.mdtrt_id);
}

async function deleteStayFee(sn) {
  await api("POST", `/stays/${hosp.stay.mdtrt_id}/fees/${sn}/delete`, {});
  await openStay(hosp.stay.mdtrt_id);
}

async function stayStep(path, body) {
  await api("POST", `/stays/${hosp.stay.mdtrt_id}/${path}`, body || {});
  await openStay(hosp.stay.mdtrt_id);
  await listStays();
}

async function quoteStay() {
  const q = await api("POST", `/stays/${hosp.stay.mdtrt_id}/quote`, patientFor("stay-code"));
  hosp.stayQuote = q;
  fill($("stay-split").tBodies[0], STAY_FIGURES.map(([k, label]) => [cell(label), cell(q.figures[k], true)]));
  fill($("stay-legs").tBodies[0], legRows(q.legs, q.cash_due));
  show($("stay-quote-view"), true);
  show($("stay-settled-view"), false);
}

async function settleStay() {
  const id = hosp.stayQuote.quote_id;
  const done = await api("POST", `/stays/${hosp.stay.mdtrt_id}/settle`, { quote_id: id }, keyFor("stay-settle", id));
  await openStay(hosp.stay.mdtrt_id);
  $("stay-receipt").textContent = done.receipt;
  $("stay-done").textContent = `已结算：结算号 ${done.setl_id}，统筹基金 ${done.setlinfo.fund_pay_sumamt}，` +
    `个人现金 ${done.cash_due}`;
  await listStays();
}

async function revokeStay() {
  const stay = hosp.stay;
  const done = await api("POST", `/stays/${stay.mdtrt_id}/revoke`, {}, keyFor("stay-revoke", stay.setl_id));
  const legs = done.legs_returned.map((leg) => `${SOURCE_NAMES[leg.source] || leg.source} ${leg.amount}`).join("，") || "无";
  const receipt = (await api("GET", `/stays/${stay.mdtrt_id}/receipt`)).receipt;
  await openStay(stay.mdtrt_id);
  show($("stay-settled-view"), true);
  $("stay-receipt").textContent = receipt;
  $("stay-done").textContent = `结算已撤销：结算号 ${done.setl_id}，退回统筹基金 ${done.fund_returned}，` +
    `各段原路退回（${legs}），退还现金 ${done.cash_back}`;
  await listStays();
}

// -- the outpatient visit step by step -----------------------------------------------------------
async function registerVisit() {
  const diagnoses = value("visit-diag-code") ? [{ code: value("visit-diag-code"), name: value("visit-diag-name") }] : [];
  const body = Object.assign(patientFor(null), { med_type: $("visit-med-type").value, visit: {
    dept_code: value("visit-dept-code"), dept_name: value("visit-dept-name"), caty: value("visit-caty"),
    doctor_code: value("visit-doctor-code"), doctor_name: value("visit-doctor-name"), diagnoses } });
  const visit = await api("POST", "/visits", body);
  await openVisit(visit.mdtrt_id);
  await listVisits();
}

async function listVisits() {
  await pick($("visit-pick"), "/visits", "visits", (v) => `${v.visit_no} ${v.patient} ${v.visit.dept_name} ` +
    `${STATE_NAMES[v.state]}（${v.mdtrt_id}）`);
}

async function openVisit(mdtrtId) {
  const visit = await api("GET", `/visits/${mdtrtId}`);
  hosp.visit = visit;
  $("visit-info").textContent = `患者 ${visit.patient}　科室 ${visit.visit.dept_name}　医生 ${visit.visit.doctor_name}　` +
    `状态 ${STATE_NAMES[visit.state]}　就诊号 ${visit.mdtrt_id}`;
  const open = visit.state === "registered";
  fill($("visit-fees").tBodies[0], visit.fees.map((fee) => feeRow(fee, fee.batch, open
    ? () => deleteVisitBatch(fee.batch) : null)));
  show($("visit-view"), true);
  show($("visit-batch"), open);
  show($("visit-quote-view"), false);
  show($("visit-settled-view"), visit.state === "settled");
}

async function uploadVisitFees() {
  await api("POST", `/visits/${hosp.visit.mdtrt_id}/fees`, { lines: cartLines($("visit-lines").tBodies[0]) });
  freshLines($("visit-lines").tBodies[0]);
  await openVisit(hosp.visit.mdtrt_id);
}

async function deleteVisitBatch(batch) {
  await api("POST", `/visits/${hosp.visit.mdtrt_id}/fees/${batch}/delete`, {});
  await openVisit(hosp.visit.mdtrt_id);
}

function showVisitQuote(q) {
  hosp.visitQuote = q;
  fill($("visit-split").tBodies[0], q.insurable.map((l) => [cell(l.code), cell(l.name), cell(l.qty, true),
    cell(l.amount, true)]));
  fill($("visit-legs").tBodies[0], legRows(q.legs, q.cash_total));
  $("visit-totals").textContent = `医疗费 ${q.figures.medfee_sumamt}  统筹基金 ${q.figures.fund_pay_sumamt}  ` +
    `个人负担 ${q.figures.psn_part_amt}`;
  show($("visit-quote-view"), true);
  show($("visit-settled-view"), false);
}

async function quoteVisit() {
  showVisitQuote(await api("POST", `/visits/${hosp.visit.mdtrt_id}/quote`, patientFor("visit-code")));
}

async function settleVisit() {
  const id = hosp.visitQuote.quote_id;
  let done;
  try {
    done = await api("POST", `/visits/${hosp.visit.mdtrt_id}/settle`, { quote_id: id }, keyFor("visit-settle", id));
  } catch (e) {
    if (e.data && e.data.quote) showVisitQuote(e.data.quote);
    throw e;  // balances moved: the cashier checks the fresh legs and confirms again
  }
  await openVisit(hosp.visit.mdtrt_id);
  $("visit-receipt").textContent = done.receipt;
  $("visit-done").textContent = `已结算：结算号 ${done.setl_id}，现金 ${done.cash_total}`;
  await listVisits();
}

async function revokeVisit() {
  const visit = hosp.visit;
  const done = await api("POST", `/visits/${visit.mdtrt_id}/revoke`, {}, keyFor("visit-revoke", visit.setl_id));
  await openVisit(visit.mdtrt_id);
  show($("visit-settled-view"), true);
  $("visit-done").textContent = `结算已撤销：结算号 ${done.sale_id}，退还现金 ${done.cash_back}；就诊可重新结算或取消挂号`;
  await listVisits();
}

// -- which desk ---------------------------------------------------------------------------------
function chooseDesk() {
  const desk = deskName();
  ["sale", "visit", "stay"].forEach((name) => show($(`${name}-desk`), name === desk));
  show($("flow-label"), desk === "sale");  // the hospital desks identify for the outpatient business type
  if (desk === "stay") listStays().catch(() => {});
  if (desk === "visit") listVisits().catch(() => {});
}

document.querySelectorAll("input[name=desk]").forEach((radio) => { radio.onchange = chooseDesk; });
$("stay-admit-btn").onclick = guarded(admitStay);
$("stay-refresh").onclick = guarded(listStays);
$("stay-open").onclick = guarded(async () => { if ($("stay-pick").value) await openStay($("stay-pick").value); });
$("stay-file").onchange = guarded(async () => {
  if ($("stay-file").files[0]) await readLinesFile($("stay-file").files[0], $("stay-lines").tBodies[0], "stay-day");
});
$("visit-file").onchange = guarded(async () => {
  if ($("visit-file").files[0]) await readLinesFile($("visit-file").files[0], $("visit-lines").tBodies[0]);
});
$("stay-add-line").onclick = () => addLine(undefined, $("stay-lines").tBodies[0]);
$("stay-upload").onclick = guarded(uploadStayFees);
$("stay-discharge").onclick = guarded(() => stayStep("discharge", value("stay-endtime") ? { endtime: value("stay-endtime") }
  : {}));
$("stay-cancel-discharge").onclick = guarded(() => stayStep("cancel-discharge"));
$("stay-cancel").onclick = guarded(() => stayStep("cancel"));
$("stay-quote").onclick = guarded(quoteStay);
$("stay-settle").onclick = guarded(settleStay);
$("stay-revoke").onclick = guarded(revokeStay);
$("stay-print").onclick = () => printReceipt("stay-receipt");
$("visit-register-btn").onclick = guarded(registerVisit);
$("visit-refresh").onclick = guarded(listVisits);
$("visit-open").onclick = guarded(async () => { if ($("visit-pick").value) await openVisit($("visit-pick").value); });
$("visit-add-line").onclick = () => addLine(undefined, $("visit-lines").tBodies[0]);
$("visit-upload").onclick = guarded(uploadVisitFees);
$("visit-quote").onclick = guarded(quoteVisit);
$("visit-settle").onclick = guarded(settleVisit);
$("visit-revoke").onclick = guarded(revokeVisit);
$("visit-cancel").onclick = guarded(async () => {
  await api("POST", `/visits/${hosp.visit.mdtrt_id}/cancel`, {});
  await openVisit(hosp.visit.mdtrt_id);
  await listVisits();
});
freshLines($("stay-lines").tBodies[0]);
freshLines($("visit-lines").tBodies[0]);
