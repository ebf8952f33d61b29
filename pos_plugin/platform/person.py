"""Identify the patient: e-voucher decode (localQrCodeQuery, a bare body) and 1101 person info."""

from __future__ import annotations

from typing import Any

from pos_plugin.errors import (
    BadReply,
    CodeExpired,
    CodeUsed,
    EcodeError,
    NotAnInsuranceCode,
    PlatformUnreachable,
)
from pos_plugin.platform.client import PlatformCore
from pos_plugin.platform.models import EcodeIdentity, PersonInfo
from pos_plugin.platform.transport import QR_CODE_QUERY

# businessType of the decode service (docs/protocol.md §1).
BUSINESS_REGISTRATION = "01101"
BUSINESS_OUTPATIENT = "01301"
BUSINESS_PHARMACY = "02121"


ECODE_ERRORS: dict[str, type[EcodeError]] = {
    "ERR_NOT_AN_INSURANCE_CODE": NotAnInsuranceCode, "ERR_CODE_EXPIRED": CodeExpired, "ERR_CODE_USED": CodeUsed,
}


def ecode_error(number: object, message: str, err_code: str = "") -> EcodeError:
    """The decode service's refusal as the matching exception: by its err_code when it sends one,
    else by the meaning of its message (real services send only `code` and `message`)."""
    details = {"decode_code": number, "platform_code": err_code}
    message = message or EcodeError.default_message
    if err_code in ECODE_ERRORS:
        return ECODE_ERRORS[err_code](message, **details)
    if err_code:
        return EcodeError(err_code if err_code.startswith("ERR_") else EcodeError.code, message, **details)
    if "过期" in message or "失效" in message:
        return CodeExpired(message, **details)
    if "已使用" in message or "已被使用" in message:
        return CodeUsed(message, **details)
    if "请使用医保电子凭证二维码" in message:
        return NotAnInsuranceCode(message, **details)
    return EcodeError(message, **details)


class PersonApi(PlatformCore):
    """Decode an e-voucher and fetch the person's insurance, family chain and wallet."""

    def decode_ecode(self, ec_qr_code: str, *, business_type: str = BUSINESS_PHARMACY) -> EcodeIdentity:
        """Pass the scanned code, opaque, to the decode service; a code is usable once.

        Retried only when the request never left (a lost reply may have consumed the code)."""
        body = {"data": self._decode_request(ec_qr_code, business_type)}
        for attempt in range(1, self.query_attempts + 1):
            try:
                reply = self.transport.post(QR_CODE_QUERY, body)
                break
            except PlatformUnreachable:
                if attempt == self.query_attempts:
                    raise
        return self._decoded(reply)

    def person_info(
        self, *, mdtrt_cert_type: str, mdtrt_cert_no: str, card_sn: str = "", psn_cert_type: str = "01",
        certno: str = "", psn_name: str = "", insuplc: str = "",
    ) -> PersonInfo:
        """1101: baseinfo, insuinfo (own balance), idetinfo, ⊕ mulaidinfo (the payer chain), ⊕ walletinfo."""
        data = {
            "mdtrt_cert_type": mdtrt_cert_type, "mdtrt_cert_no": mdtrt_cert_no, "card_sn": card_sn,
            "psn_cert_type": psn_cert_type, "certno": certno, "psn_name": psn_name,
        }
        return PersonInfo.from_output(self.call("1101", {"data": data}, insuplc=insuplc).output)

    def _decode_request(self, ec_qr_code: str, business_type: str) -> dict[str, Any]:
        inst, op = self.institution, self.operator
        return {
            "orgId": inst.fixmedins_code, "businessType": business_type, "operatorId": op.opter,
            "operatorName": op.opter_name, "officeId": inst.fixmedins_code, "officeName": inst.fixmedins_name,
            "ecQrCode": ec_qr_code,
        }

    @staticmethod
    def _decoded(reply: Any) -> EcodeIdentity:
        if not isinstance(reply, dict) or "code" not in reply:
            raise BadReply("电子凭证解码应答格式错误")
        code = reply.get("code")
        if str(code).strip() not in ("0", "0.0"):
            raise ecode_error(code, str(reply.get("message") or ""), str(reply.get("err_code") or ""))
        data = reply.get("data")
        if not isinstance(data, dict):
            raise BadReply("电子凭证解码应答缺少 data")
        return EcodeIdentity.from_data(data)


__all__ = ["PersonApi", "ecode_error"]
