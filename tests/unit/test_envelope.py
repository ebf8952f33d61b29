"""Envelope building and reply parsing (docs/protocol.md §2): infcode as number or string, exact Decimals."""

from datetime import datetime
from decimal import Decimal

import pytest

from pos_plugin.errors import BadReply, BusinessError, InputError, PosError, SignInRejected
from pos_plugin.platform import wire
from pos_plugin.platform.envelope import Institution, Operator, build_envelope, parse_reply
from pos_plugin.platform.tif import TifCredentials, tif_signature

INSTITUTION = Institution(fixmedins_code="P61010300017", fixmedins_name="西安康平大药房", mdtrtarea_admvs="610103")
OPERATOR = Operator(opter="0001", opter_name="李收银")
ENVELOPE_FIELDS = (
    "infno msgid mdtrtarea_admvs insuplc_admdvs recer_sys_code dev_no dev_safe_info cainfo signtype infver "
    "opter_type opter opter_name inf_time fixmedins_code fixmedins_name sign_no input"
).split()


def envelope(**overrides):
    args = dict(
        infno="1101", msgid="P61010300017202604201830000001", institution=INSTITUTION, operator=OPERATOR,
        sign_no="00000000000000000042", input_={"data": {"psn_no": "x"}}, now=datetime(2026, 4, 20, 18, 30, 5),
        insuplc_admdvs="610103",
    )
    args.update(overrides)
    return build_envelope(**args)


def test_envelope_carries_every_field_of_the_protocol():
    env = envelope()
    assert list(env) == ENVELOPE_FIELDS
    assert env["inf_time"] == "2026-04-20 18:30:05"
    assert env["infver"] == "V1.0"
    assert env["fixmedins_code"] == "P61010300017" and env["mdtrtarea_admvs"] == "610103"
    assert env["insuplc_admdvs"] == "610103" and env["sign_no"] == "00000000000000000042"


def test_request_body_sends_money_as_two_place_strings_and_prices_as_given():
    body = wire.dumps(envelope(input_={"data": {"medfee_sumamt": Decimal("155.8"), "pric": Decimal("28.400000"),
                                                "cnt": Decimal("2"), "payplan": [{"amount": Decimal("1")}]}}))
    text = body.decode()
    assert '"medfee_sumamt":"155.80"' in text
    assert '"pric":"28.400000"' in text and '"cnt":"2"' in text
    assert '"amount":"1.00"' in text


@pytest.mark.parametrize("bad", [{"acct_pay": 1.5}, {"acct_pay": Decimal("1.005")}, {"pric": Decimal("NaN")}])
def test_request_refuses_floats_and_inexact_money(bad):
    with pytest.raises(InputError) as err:
        wire.dumps({"input": {"data": bad}})
    assert err.value.code == "ERR_INPUT"


@pytest.mark.parametrize("infcode", [0, "0", " 0 ", Decimal("0")])
def test_success_infcode_as_number_or_string(infcode):
    reply = parse_reply({"infcode": infcode, "output": {"x": 1}}, infno="1101", msgid="m")
    assert reply.infcode == 0 and reply.output == {"x": 1} and reply.msgid == "m"


@pytest.mark.parametrize("infcode", [-1, "-1"])
def test_refusal_infcode_as_number_or_string_raises_business_error_with_err_msg(infcode):
    with pytest.raises(BusinessError) as err:
        parse_reply({"infcode": infcode, "err_msg": "参保人状态异常", "output": None}, infno="2102", msgid="m1")
    assert type(err.value) is BusinessError
    assert err.value.message == "参保人状态异常" and err.value.infno == "2102"
    assert str(err.value) == "ERR_PLATFORM_REFUSED: 参保人状态异常"


def test_a_refused_sign_no_is_recognised():
    with pytest.raises(SignInRejected):
        parse_reply({"infcode": -1, "err_msg": "ERR_SIGN_NO_INVALID: 签到号无效，请重新签到"}, infno="1101", msgid="m")


@pytest.mark.parametrize("body", [[], {"output": {}}, {"infcode": "ok"}, {"infcode": True}, {"infcode": 0, "output": []}])
def test_malformed_replies_are_bad_replies(body):
    with pytest.raises(BadReply):
        parse_reply(body, infno="1101", msgid="m")


def test_amounts_as_numbers_or_numeric_strings_become_exact_decimals():
    raw = wire.loads(b'{"infcode": 0, "output": {"setlinfo": {"medfee_sumamt": 155.8, "acct_pay": "155.80",'
                     b' "balc": 1344.2, "psn_no": "610103", "hifp_pay": 0}, "payleg": [{"amount": -12.5, "rank": 1}],'
                     b' "result": [{"pric": "28.4", "cnt": 2.5}]}}')
    out = parse_reply(raw, infno="2102", msgid="m").output
    info = out["setlinfo"]
    assert info["medfee_sumamt"] == Decimal("155.80") and str(info["medfee_sumamt"]) == "155.80"
    assert str(info["acct_pay"]) == "155.80" and str(info["balc"]) == "1344.20" and str(info["hifp_pay"]) == "0.00"
    assert info["psn_no"] == "610103"
    assert out["payleg"][0]["amount"] == Decimal("-12.50") and out["payleg"][0]["rank"] == 1
    assert out["result"][0]["pric"] == Decimal("28.4") and out["result"][0]["cnt"] == Decimal("2.5")
    assert not any(isinstance(v, float) for v in info.values())


@pytest.mark.parametrize("amount", ['"12.345"', '"abc"', "true", '"1e400"'])
def test_malformed_amounts_are_bad_replies(amount):
    raw = wire.loads(b'{"infcode": 0, "output": {"setlinfo": {"acct_pay": ' + amount.encode() + b"}}}")
    with pytest.raises(BadReply):
        parse_reply(raw, infno="2102", msgid="m")


def test_non_json_reply_is_bad_reply():
    with pytest.raises(BadReply):
        wire.loads(b"<html>502</html>")


@pytest.mark.parametrize("node", [
    {"exp_content": {"payplan": []}}, {"expContent": {"payplan": []}}, {"exp_content": '{"payplan": []}'},
    {"expContent": '{"payplan": []}'},
])
def test_exp_content_either_spelling_object_or_string(node):
    assert wire.exp_content(node) == {"payplan": []}


def test_exp_content_absent_or_bad():
    assert wire.exp_content({}) == {} and wire.exp_content({"exp_content": ""}) == {}
    with pytest.raises(BadReply):
        wire.exp_content({"exp_content": "[1]"})


def test_tif_signature_matches_a_vector_computed_with_sha256sum():
    # echo -n "1767225600tok-secretn0nce1767225600" | sha256sum
    expected = "b37c126724b811dee24ae0599f3a76e3ed2c8504ea378df332beb1520753dae1"
    assert tif_signature("1767225600", "tok-secret", "n0nce") == expected
    creds = TifCredentials("paas-1", "tok-secret", now=lambda: 1767225600.9, nonce=lambda: "n0nce")
    assert creds.headers() == {"x-tif-paasid": "paas-1", "x-tif-timestamp": "1767225600", "x-tif-nonce": "n0nce",
                               "x-tif-signature": expected}
    assert "tok-secret" not in repr(creds)


def test_tif_nonce_is_fresh_per_request():
    creds = TifCredentials("paas-1", "t")
    assert creds.headers()["x-tif-nonce"] != creds.headers()["x-tif-nonce"]


def test_pos_error_codes_and_messages():
    assert str(PosError("ERR_X", "出错了")) == "ERR_X: 出错了"
    err = SignInRejected("签到号过期", infno="1101")
    assert err.code == "ERR_SIGN_IN_REJECTED" and err.message == "签到号过期" and err.details == {"infno": "1101"}
    assert isinstance(err, BusinessError) and err.short_code == "sign_in_rejected"
    assert BadReply().message  # every class has a default Chinese message


def test_detail_file_and_result_file_formats():
    import io
    import zipfile

    from pos_plugin.platform.models import ReconRecord
    from pos_plugin.platform.reconcile import detail_file, parse_result_file

    records = [ReconRecord("S1", "M1", "P1", Decimal("155.80"), Decimal("0.00"), Decimal("155.80")),
               ReconRecord("R1", "M1", "P1", Decimal("-155.80"), Decimal("0.00"), Decimal("-155.80"), "1")]
    text = detail_file(records).decode()
    assert text == "S1\tM1\tP1\t155.80\t0.00\t155.80\t0\nR1\tM1\tP1\t-155.80\t0.00\t-155.80\t1\n"
    assert records[0].cash_payamt == Decimal("0.00")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("result.txt", text.replace("\t0\n", "\t0\t0\t一致\n").replace("\t1\n", "\t1\t2\t中心多\n"))
    rows = parse_result_file(buffer.getvalue())
    assert [r.record for r in rows] == records and [r.result for r in rows] == ["0", "2"]
    assert rows[1].result_name == "中心多" and not rows[1].matches
    with pytest.raises(BadReply):
        parse_result_file(b"PK\x03\x04broken")
    with pytest.raises(BadReply):
        parse_result_file(b"S1\tM1\n")
