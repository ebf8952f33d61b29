"""The agent's OpenAPI 3 document (served at /openapi.json). tests/agent/test_agent_openapi.py walks the
app's routes against it both ways and validates real answers against these schemas."""

from __future__ import annotations

from typing import Any

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "元，两位小数，字符串"}
STR = {"type": "string"}
TEXT = {"type": "string", "minLength": 1}  # a required text: empty is the same as missing
DECIMAL = {"type": "string", "pattern": r"^\s*-?\d+(\.\d+)?\s*$", "description": "十进制数，字符串（不用 JSON 数字）"}
NSTR = {"type": ["string", "null"]}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
DAY = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def obj(props: dict[str, Any], required: list[str] | None = None, *, extra: bool = False) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props) if required is None else required,
            "additionalProperties": extra}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def arr(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


SCHEMAS: dict[str, Any] = {
    "Error": obj({"code": {"type": "string", "pattern": "^ERR_[A-Z0-9_]+$"}, "message": STR, "quote": ref("Quote"),
                  "field": STR}, ["code", "message"]),
    "Health": obj({"ok": BOOL, "institution": STR, "institution_name": STR, "terminal": STR, "open_quote": NSTR,
                   "platform": obj({"url": STR, "reachable": BOOL,
                                    "error": {"oneOf": [obj({"code": STR, "message": STR}), {"type": "null"}]},
                                    "timeout_seconds": {"type": "number"}}),
                   "signed_in": BOOL, "sign_in_time": NSTR}),
    "Scan": obj({"codes": arr(obj({"text": STR, "kind": STR, "message": STR})), "credential": NSTR}),
    "Credential": obj({"code": TEXT, "certno": STR, "patient_name": STR, "patient_certno": STR,
                       "flow": {"enum": ["pharmacy", "outpatient"]}}, ["code"]),
    "Patient": obj({"patient_id": STR, "psn_no": STR, "name": STR, "insutype": STR, "insuplc": STR}),
    "CartLine": obj({"code": TEXT, "item": TEXT, "name": STR, "class": {"enum": ["A", "B", "C"]}, "qty": DECIMAL,
                     "price": DECIMAL, "insurable": BOOL, "selfpay_prop": DECIMAL, "price_cap": DECIMAL,
                     "trace_codes": arr(TEXT)}, ["price"]),
    "CatalogueSynced": obj({"fetched": INT, "total": INT, "version": STR}),
    "MappingRequest": obj({"mappings": arr(obj({"item": TEXT, "med_list_codg": TEXT, "name": STR, "list_type": STR},
                                               ["item", "med_list_codg"]))}),
    "Mapped": obj({"mapped": INT, "chk_stas": STR}),
    "ItemMapping": obj({"item": STR, "med_list_codg": STR, "name": STR, "list_type": STR, "chk_stas": STR,
                        "chk_stas_name": STR, "chk_memo": STR}),
    "Mappings": obj({"mappings": arr(ref("ItemMapping"))}),
    "SaleRequest": obj({"patient_id": STR, "code": STR, "certno": STR, "patient_name": STR, "patient_certno": STR,
                        "flow": {"enum": ["pharmacy", "outpatient"]}, "med_type": STR, "use_account": BOOL,
                        "use_wallet": BOOL, "lines": arr(ref("CartLine")) | {"minItems": 1}, "visit": ref("Visit")}, ["lines"]),
    "Visit": obj({"dept_code": STR, "dept_name": STR, "doctor_code": STR, "doctor_name": STR, "caty": STR,
                  "diagnoses": arr(obj({"code": STR, "name": STR}))}, []),
    "Line": obj({"code": STR, "name": STR, "class": STR, "qty": STR, "price": STR, "amount": MONEY,
                 "insurable": BOOL}),
    "Leg": obj({"source": {"enum": ["own", "funder", "pool", "wallet"]}, "rank": {"type": ["integer", "null"]},
                "label": STR, "amount": MONEY}),
    "Quote": obj({"quote_id": STR, "patient": obj({"psn_no": STR, "name": STR, "insutype": STR}), "flow": STR,
                  "insurable": arr(ref("Line")), "outside": arr(ref("Line")),
                  "figures": {"type": "object", "additionalProperties": MONEY}, "legs": arr(ref("Leg")),
                  "insurable_total": MONEY, "outside_settlement": MONEY, "cash_total": MONEY}),
    "Sale": obj({"sale_id": STR, "setl_id": STR, "setlinfo": {"type": "object", "additionalProperties": MONEY},
                 "legs": arr(ref("Leg")), "outside_settlement": MONEY, "cash_total": MONEY, "receipt": STR}),
    "Revoked": obj({"sale_id": STR, "on_platform": BOOL, "legs_returned": arr(obj({"source": STR, "amount": MONEY})),
                    "cash_back": MONEY}),
    "RefundRequest": obj({"lines": arr(TEXT) | {"minItems": 1}, "patient_id": STR, "code": STR, "certno": STR, "patient_name": STR,
                          "patient_certno": STR}, ["lines"]),
    "Refunded": obj({"old": obj({"sale_id": STR, "lines": arr(ref("Line")), "receipt": STR}),
                     "revoked": ref("Revoked"), "new": {"oneOf": [ref("Sale"), {"type": "null"}]}}),
    "Receipt": obj({"sale_id": STR, "receipt": STR}),
    "Recovered": obj({"resolutions": arr(obj({"outcome": STR, "infno": STR, "msgid": STR, "message": STR})),
                      "unresolved": INT, "booked": arr(obj({"sale_id": STR, "receipt": STR}))}),
    "ReconcileRequest": obj({"date": DAY, "end": DAY, "with_refunds": BOOL}, []),
    "Reconciled": obj({"begin": STR, "end": STR, "balanced": BOOL, "report": STR}),
    # inpatient stays (docs/domain.md §2.7); every request body is closed (unknown fields: 422)
    "AdmitRequest": obj({"patient_id": STR, "code": STR, "certno": STR, "patient_name": STR, "patient_certno": STR,
                         "ipt_no": STR, "dept_code": STR, "dept_name": STR, "bed": STR, "doctor_code": STR,
                         "doctor_name": STR, "diagnosis_code": STR, "diagnosis_name": STR,
                         "begntime": {"type": "string", "description": "YYYY-MM-DD HH:MM:SS，默认现在"}},
                        ["ipt_no", "dept_code", "dept_name"]),
    "Stay": obj({"mdtrt_id": STR, "psn_no": STR, "patient": STR, "ipt_no": STR, "dept_name": STR,
                 "state": {"enum": ["admitted", "discharged", "settled", "cancelled"]}, "begntime": STR,
                 "endtime": NSTR, "setl_id": NSTR}),
    "StayFee": obj({"feedetl_sn": STR, "day": STR, "line": ref("Line"),
                    "split": {"type": "object", "additionalProperties": STR}, "deleted": BOOL}),
    "StayDetail": obj({"mdtrt_id": STR, "psn_no": STR, "patient": STR, "ipt_no": STR, "dept_name": STR, "state": STR,
                       "begntime": STR, "endtime": NSTR, "setl_id": NSTR, "fees": arr(ref("StayFee"))}),
    "Stays": obj({"stays": arr(ref("Stay"))}),
    "FeesRequest": obj({"day": {"type": "string", "description": "YYYY-MM-DD，默认今天"},
                        "lines": arr(ref("CartLine"))}, ["lines"]),
    "FeesAdded": obj({"mdtrt_id": STR, "fees": arr(ref("StayFee"))}),
    "FeeDeleted": obj({"mdtrt_id": STR, "deleted": INT}),
    "DischargeRequest": obj({"endtime": STR, "way": STR}, []),
    "Empty": obj({}, []),
    "StayQuoteRequest": obj({"patient_id": STR, "code": STR, "certno": STR, "patient_name": STR,
                             "patient_certno": STR, "use_account": BOOL, "use_wallet": BOOL}, []),
    "StayQuote": obj({"quote_id": STR, "stay": ref("Stay"), "figures": {"type": "object", "additionalProperties": MONEY},
                      "legs": arr(ref("Leg")), "cash_due": MONEY}),
    "StaySettleRequest": obj({"quote_id": STR}),
    "StaySettled": obj({"mdtrt_id": STR, "setl_id": STR, "setlinfo": {"type": "object", "additionalProperties": MONEY},
                        "legs": arr(ref("Leg")), "cash_due": MONEY, "receipt": STR}),
    "StayRevoked": obj({"mdtrt_id": STR, "setl_id": STR, "legs_returned": arr(obj({"source": STR, "amount": MONEY})),
                        "fund_returned": MONEY, "cash_back": MONEY}),
    "StayReceipt": obj({"mdtrt_id": STR, "receipt": STR}),
    # outpatient visits step by step (docs/domain.md §2.8); every request body is closed (unknown fields: 422)
    "VisitRequest": obj({"patient_id": STR, "code": STR, "certno": STR, "patient_name": STR, "patient_certno": STR,
                         "med_type": {"type": "string", "description": "11 门诊（默认），14 门诊慢特病"},
                         "visit": ref("Visit")}, []),
    "OutpatientVisit": obj({"mdtrt_id": STR, "psn_no": STR, "patient": STR, "visit_no": STR, "med_type": STR,
                            "visit": ref("Visit"), "state": {"enum": ["registered", "settled", "cancelled"]},
                            "begntime": STR, "setl_id": NSTR}),
    "OutpatientVisitDetail": obj({"mdtrt_id": STR, "psn_no": STR, "patient": STR, "visit_no": STR, "med_type": STR,
                                  "visit": ref("Visit"), "state": STR, "begntime": STR, "setl_id": NSTR,
                                  "fees": arr(ref("VisitFee"))}),
    "OutpatientVisits": obj({"visits": arr(ref("OutpatientVisit"))}),
    "VisitFee": obj({"feedetl_sn": STR, "batch": STR, "line": ref("Line"),
                     "split": {"type": "object", "additionalProperties": STR}, "deleted": BOOL}),
    "VisitFeesRequest": obj({"lines": arr(ref("CartLine")) | {"minItems": 1}}),
    "VisitFeesAdded": obj({"mdtrt_id": STR, "batch": STR, "fees": arr(ref("VisitFee"))}),
    "VisitQuoteRequest": obj({"patient_id": STR, "code": STR, "certno": STR, "patient_name": STR,
                              "patient_certno": STR, "use_account": BOOL, "use_wallet": BOOL}, []),
    "VisitSettleRequest": obj({"quote_id": STR}),
}
SCHEMAS["VisitQuote"] = obj({**SCHEMAS["Quote"]["properties"], "mdtrt_id": STR,
                             "split": {"type": "object", "additionalProperties": MONEY}})

ERRORS = {str(status): {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
          for status, text in ((400, "输入有误，未做任何更改"), (401, "缺少或错误的令牌"),
                               (404, "没有这笔交易、这个参保人或这个接口"), (405, "该接口不支持这个请求方法（Allow 头列出可用方法）"),
                               (409, "报价失效、余额变动（附新报价）、已撤销或有待冲正交易"),
                               (413, "请求体超过上限（图片 10 MB，其余 1 MB），未处理"),
                               (422, "未定义的字段、平台或身份核对拒绝，或 Idempotency-Key 被用于另一请求"),
                               (502, "医保平台不可用"), (504, "交易结果未知，已记录待冲正"))}
ERRORS["405"]["headers"] = {"Allow": {"description": "该路径可用的方法", "schema": STR}}
KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
       "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},
       "description": "重试时带同一个键：只执行一次，返回第一次的答复（1–255 个可见 ASCII 字符）"}
REPLAYED = {"Idempotent-Replayed": {"description": "true：这是同一 Idempotency-Key 第一次请求的答复（未再次执行）",
                                    "schema": {"type": "string", "enum": ["true"]}}}


def _op(operation_id: str, summary: str, answer: str, status: int = 200, *, body: str | None = None,
        params: tuple[str, ...] = (), idempotent: bool = False, image: bool = False) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "OK", "content": {"application/json": {"schema": ref(answer)}}}
    responses: dict[str, Any] = {str(status): ok, **ERRORS}
    if idempotent:  # a replayed answer (success or refusal) says so
        responses = {code: answer | {"headers": {**answer.get("headers", {}), **REPLAYED}}
                     for code, answer in responses.items()}
    op: dict[str, Any] = {"operationId": operation_id, "summary": summary, "responses": responses}
    parameters = [{"name": p, "in": "path", "required": True, "schema": TEXT} for p in params]
    if idempotent:
        parameters.append(KEY)
    if parameters:
        op["parameters"] = parameters
    content: dict[str, Any] = {}
    if body:
        content["application/json"] = {"schema": ref(body)}
    if image:
        content["multipart/form-data"] = {"schema": obj({"image": {"type": "string", "format": "binary"}})}
        content["image/*"] = {"schema": {"type": "string", "format": "binary"}}
    if content:
        op["requestBody"] = {"required": body != "ReconcileRequest", "content": content}
    return op


PATHS: dict[str, Any] = {
    "/health": {"get": _op("health", "终端状态：医保平台是否可达、今日是否已签到", "Health")},
    "/scan": {"post": _op("scan", "识别上传图片中的码并分类", "Scan", image=True)},
    "/identify": {"post": _op("identify", "凭证 → 参保人（姓名脱敏）", "Patient", body="Credential", image=True)},
    "/sales": {"post": _op("openSale", "报价：分项表与支付分段（替换本终端未确认的报价）", "Quote", 201,
                           body="SaleRequest")},
    "/sales/{quote_id}/confirm": {"post": _op("confirmSale", "收银员确认：按报价结算；余额变动则 409 附新报价",
                                              "Sale", 201, params=("quote_id",), idempotent=True)},
    "/sales/{sale_id}/revoke": {"post": _op("revokeSale", "撤销整笔交易", "Revoked", params=("sale_id",),
                                            idempotent=True)},
    "/sales/{sale_id}/refund": {"post": _op("refundSale", "部分退货：原结算与新结算", "Refunded", body="RefundRequest",
                                            params=("sale_id",), idempotent=True)},
    "/sales/{sale_id}/receipt": {"get": _op("saleReceipt", "补打小票（80 mm 文本）", "Receipt", params=("sale_id",))},
    "/recover": {"post": _op("recover", "处理结果未知的交易（冲正）", "Recovered", idempotent=True)},
    "/reconcile": {"post": _op("reconcile", "日终对账", "Reconciled", body="ReconcileRequest")},
    "/catalogue/sync": {"post": _op("catalogueSync", "增量同步医保目录（1312）", "CatalogueSynced")},
    "/catalogue/mappings": {"post": _op("catalogueMappings", "上传本店商品目录对照（3301）", "Mapped",
                                        body="MappingRequest"),
                            "get": _op("catalogueMappingStates", "本店目录对照及平台审核状态（1317）", "Mappings")},
    "/visits": {"post": _op("registerVisit", "门诊挂号（2201）并登记诊断（2203）：科室、医生、科别、诊断", "OutpatientVisit",
                            201, body="VisitRequest"),
                "get": _op("listVisits", "本机门诊就诊（?state=registered|settled|cancelled）", "OutpatientVisits")},
    "/visits/{mdtrt_id}": {"get": _op("getVisit", "一次门诊就诊及其全部费用批次", "OutpatientVisitDetail",
                                      params=("mdtrt_id",))},
    "/visits/{mdtrt_id}/fees": {"post": _op("addVisitFees", "上传一批门诊费用（2204），返回每行分割", "VisitFeesAdded", 201,
                                            body="VisitFeesRequest", params=("mdtrt_id",))},
    "/visits/{mdtrt_id}/fees/{batch}/delete": {"post": _op("deleteVisitFees", "删除一批未结算费用（2205；0000 全部）",
                                                           "FeeDeleted", body="Empty", params=("mdtrt_id", "batch"))},
    "/visits/{mdtrt_id}/quote": {"post": _op("quoteVisit", "门诊预结算（2206）：分项与支付分段，供收银员确认", "VisitQuote", 201,
                                             body="VisitQuoteRequest", params=("mdtrt_id",))},
    "/visits/{mdtrt_id}/settle": {"post": _op("settleVisit", "收银员确认：按报价结算（2207）；余额变动则 409 附新报价", "Sale",
                                              201, body="VisitSettleRequest", params=("mdtrt_id",), idempotent=True)},
    "/visits/{mdtrt_id}/revoke": {"post": _op("revokeVisit", "撤销门诊结算（2208），就诊回到未结算", "Revoked", body="Empty",
                                              params=("mdtrt_id",), idempotent=True)},
    "/visits/{mdtrt_id}/cancel": {"post": _op("cancelVisit", "撤销挂号（2202）：未结算的就诊", "OutpatientVisit", body="Empty",
                                              params=("mdtrt_id",))},
    "/stays": {"post": _op("admitStay", "入院办理（2401）：科室、床位、医生、诊断", "Stay", 201, body="AdmitRequest"),
               "get": _op("listStays", "本机住院记录（?state=admitted|discharged|settled|cancelled）", "Stays")},
    "/stays/{mdtrt_id}": {"get": _op("getStay", "一次住院及其全部费用", "StayDetail", params=("mdtrt_id",))},
    "/stays/{mdtrt_id}/fees": {"post": _op("addStayFees", "上传一批住院费用（2301），返回每行分割", "FeesAdded", 201,
                                           body="FeesRequest", params=("mdtrt_id",))},
    "/stays/{mdtrt_id}/fees/{feedetl_sn}/delete": {"post": _op("deleteStayFee", "删除一条未结算费用（2302；0000 全部）", "FeeDeleted",
                                                               body="Empty", params=("mdtrt_id", "feedetl_sn"))},
    "/stays/{mdtrt_id}/discharge": {"post": _op("dischargeStay", "出院办理（2402）", "Stay", body="DischargeRequest",
                                                params=("mdtrt_id",))},
    "/stays/{mdtrt_id}/cancel-discharge": {"post": _op("cancelDischarge", "撤销出院（2405）", "Stay", body="Empty", params=("mdtrt_id",))},
    "/stays/{mdtrt_id}/cancel": {"post": _op("cancelAdmission", "取消入院（2404）", "Stay", body="Empty", params=("mdtrt_id",))},
    "/stays/{mdtrt_id}/quote": {"post": _op("quoteStay", "出院预结算（2303）：分项与支付分段，供收银员确认", "StayQuote", 201,
                                            body="StayQuoteRequest", params=("mdtrt_id",))},
    "/stays/{mdtrt_id}/settle": {"post": _op("settleStay", "收银员确认：按报价结算（2304），返回出院结算单", "StaySettled", 201,
                                             body="StaySettleRequest", params=("mdtrt_id",), idempotent=True)},
    "/stays/{mdtrt_id}/revoke": {"post": _op("revokeStay", "撤销住院结算（2305）", "StayRevoked", body="Empty",
                                             params=("mdtrt_id",), idempotent=True)},
    "/stays/{mdtrt_id}/receipt": {"get": _op("stayReceipt", "补打出院结算单", "StayReceipt", params=("mdtrt_id",))},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "yibao-pos local agent", "version": "1",
                 "description": "本机收银代理：任何语言的收银程序经 HTTP 使用医保结算。见 docs/agent-api.md。"},
        "servers": [{"url": "http://127.0.0.1:8765"}],
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"bearer": []}],
        "paths": PATHS,
    }
