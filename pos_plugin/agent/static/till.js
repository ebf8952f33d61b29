// The reference web till: plain JavaScript over the agent's HTTP API (docs/agent-api.md). No build step.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { patient: null, quote: null, sale: null, keys: {} };

function show(el, on) { el.hidden = !on; }
function showError(err) {
  const box = $("error");
  box.textContent = err ? `${err.code}：${err.message}` : "";
  show(box, !!err);
}
function cell(text, money) {
  const td = document.createElement("td");
  td.textContent = text;
  if (money) td.className = "money";
  return td;
}
function fill(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    cells.forEach((c) => tr.appendChild(c));
    return tr;
  }));
}
function headers(extra) {
  const h = Object.assign({}, extra || {});
  const token = $("token").value || sessionStorage.getItem("agent-token") || "";
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}
// Every call: JSON back; an error answer is shown to the cashier and thrown.
async function api(method, path, body, extraHeaders) {
  showError(null);
  const init = { method, headers: headers(extraHeaders) };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const reply = await fetch(path, init);
  const data = await reply.json();
  if (!reply.ok) { showError(data); const e = new Error(data.code); e.data = data; throw e; }
  return data;
}
// One Idempotency-Key per action on one object, so a retried click never settles twice.
function keyFor(action, id) {
  const name = action + ":" + id;
  if (!state.keys[name]) state.keys[name] = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
  return { "Idempotency-Key": state.keys[name] };
}

function deskName() { return document.querySelector("input[name=desk]:checked").value; }

async function scan(file) {
  const form = new FormData();
  form.append("image", file);
  const found = await api("POST", "/scan", form);
  state.patient = null; $("patient").textContent = "";
  if (found.credential) $("code").value = found.credential;
  else if (found.codes.length) showError({ code: "ERR_NOT_AN_INSURANCE_CODE", message: found.codes[0].message });
  else showError({ code: "ERR_INPUT", message: "图片中没有识别到二维码或条码" });
}

async function identify() {
  const flow = deskName() === "sale" ? $("flow").value : "outpatient";  // the hospital desks' business type
  const who = await api("POST", "/identify", { code: $("code").value, flow });
  state.patient = who;
  $("patient").textContent = `参保人 ${who.name}（险种 ${who.insutype}，参保地 ${who.insuplc}）`;
}

// One editable line row (the cart's, a visit's or a stay's fee batch); a line read from a file keeps its other
// fields (selfpay_prop, price_cap) as they were.
function addLine(line, tbody) {
  line = line || {};
  const tr = document.createElement("tr");
  const { code, name, qty, price, insurable, class: cls, ...rest } = line;
  tr.extra = rest;
  tr.innerHTML = '<td><input name="code" size="8"></td><td><input name="name" size="14"></td>' +
    '<td><select name="class"><option>A</option><option>B</option><option>C</option>' +
    '<option value="X">非医保</option></select></td><td><input name="qty" size="4" value="1"></td>' +
    '<td><input name="price" size="8"></td><td><button type="button">删除</button></td>';
  tr.querySelector("[name=code]").value = code || "";
  tr.querySelector("[name=name]").value = name || "";
  tr.querySelector("[name=class]").value = insurable === false ? "X" : (cls || "A");
  if (qty) tr.querySelector("[name=qty]").value = qty;
  tr.querySelector("[name=price]").value = price || "";
  tr.querySelector("button").onclick = () => tr.remove();
  (tbody || $("lines").tBodies[0]).appendChild(tr);
}
function cartLines(tbody) {
  return [...(tbody || $("lines").tBodies[0]).rows].map((tr) => {
    const v = (n) => tr.querySelector(`[name=${n}]`).value.trim();
    const line = Object.assign({ code: v("code"), name: v("name") || v("code"), qty: v("qty"), price: v("price") },
      tr.extra);
    if (v("class") === "X") line.insurable = false; else line.class = v("class");
    return line;
  });
}

function showQuote(q) {
  state.quote = q;
  const lines = q.insurable.concat(q.outside);
  fill($("split").tBodies[0], lines.map((l) => [cell(l.code), cell(l.name), cell(l.qty, true),
    cell(l.amount, true), cell(l.insurable ? "医保" : "非医保（现金）")]));
  const legs = q.legs.map((leg) => [cell(leg.label), cell(leg.amount, true)]);
  legs.push([cell("现金（含非医保商品）"), cell(q.cash_total, true)]);
  fill($("legs").tBodies[0], legs);
  $("totals").textContent = `医疗费 ${q.figures.medfee_sumamt}  统筹基金 ${q.figures.fund_pay_sumamt}  ` +
    `个人负担 ${q.figures.psn_part_amt}  非医保商品 ${q.outside_settlement}`;
  show($("quote-view"), true);
  show($("sale-view"), false);
}

async function quote() {
  const body = { lines: cartLines(), flow: $("flow").value };
  if (state.patient) body.patient_id = state.patient.patient_id; else body.code = $("code").value;
  showQuote(await api("POST", "/sales", body));
}

async function confirmSale() {
  const id = state.quote.quote_id;
  try {
    showSale(await api("POST", `/sales/${id}/confirm`, undefined, keyFor("confirm", id)));
  } catch (e) {
    if (e.data && e.data.quote) showQuote(e.data.quote);  // balances moved: the cashier checks the fresh legs
  }
}

function showSale(sale) {
  state.sale = sale;
  show($("quote-view"), false);
  show($("sale-view"), true);
  $("receipt").textContent = sale.receipt;
  $("done").textContent = `交易号 ${sale.sale_id}，现金 ${sale.cash_total}`;
  const codes = state.quote ? state.quote.insurable.concat(state.quote.outside) : [];
  $("refund-lines").replaceChildren(...codes.map((l) => {
    const label = document.createElement("label");
    label.innerHTML = '<input type="checkbox"> ';
    label.firstChild.value = l.code;
    label.append(`${l.code} ${l.name}`);
    return label;
  }));
}

async function revoke() {
  const id = state.sale.sale_id;
  const done = await api("POST", `/sales/${id}/revoke`, undefined, keyFor("revoke", id));
  $("done").textContent = `整笔已撤销：交易 ${id}，退还现金 ${done.cash_back}`;
  $("receipt").textContent = (await api("GET", `/sales/${id}/receipt`)).receipt;
}

async function refund() {
  const id = state.sale.sale_id;
  const lines = [...$("refund-lines").querySelectorAll("input:checked")].map((i) => i.value);
  const body = { lines, code: $("refund-code").value };
  const done = await api("POST", `/sales/${id}/refund`, body, keyFor("refund", id));
  if (done.new) {
    state.sale = done.new;
    $("receipt").textContent = done.new.receipt;
    $("done").textContent = `已退货：原交易 ${id} 已撤销，新交易号 ${done.new.sale_id}，现金 ${done.new.cash_total}`;
  } else {
    $("done").textContent = `全部退货：原交易 ${id} 已撤销，退还现金 ${done.revoked.cash_back}`;
  }
}

function printReceipt(id) {  // only that receipt is printed (till.css @media print)
  document.querySelectorAll("pre.receipt").forEach((pre) => pre.classList.toggle("printing", pre.id === id));
  window.print();
}
function guarded(fn) { return (ev) => { fn(ev).catch(() => {}); }; }  // errors are already on screen

$("token").onchange = () => sessionStorage.setItem("agent-token", $("token").value);
$("image").onchange = guarded(async () => { if ($("image").files[0]) await scan($("image").files[0]); });
$("drop").ondragover = (ev) => { ev.preventDefault(); $("drop").classList.add("over"); };
$("drop").ondragleave = () => $("drop").classList.remove("over");
$("drop").ondrop = guarded(async (ev) => {
  ev.preventDefault(); $("drop").classList.remove("over");
  if (ev.dataTransfer.files[0]) await scan(ev.dataTransfer.files[0]);
});
$("code").onchange = () => { state.patient = null; $("patient").textContent = ""; };
$("identify").onclick = guarded(identify);
$("add-line").onclick = () => addLine();
$("quote").onclick = guarded(quote);
$("confirm").onclick = guarded(confirmSale);
$("print").onclick = () => printReceipt("receipt");
$("revoke").onclick = guarded(revoke);
$("refund").onclick = guarded(refund);
addLine();
