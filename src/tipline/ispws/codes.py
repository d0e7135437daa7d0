"""NCMEC's CyberTipline response codes, and the error that carries one."""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    SUCCESS = 0
    SERVER_ERROR = 1000
    SAVE_FAILED = 1100
    UPLOAD_FAILED = 1110
    NOT_FOUND = 1210
    AUTHENTICATION_REQUIRED = 2000
    NOT_AUTHORISED = 3000
    NOT_AUTHORISED_FOR_SUBMISSIONS = 3100
    INVALID_REQUEST = 4000
    VALIDATION_FAILED = 4100
    MALFORMED_XML = 4110
    MALFORMED_FILE = 4200
    REPORT_DOES_NOT_EXIST = 5001
    FILE_DOES_NOT_EXIST = 5002
    ALREADY_RETRACTED = 5101
    ALREADY_FINISHED = 5102


DESCRIPTIONS = {
    Code.SUCCESS: "Success",
    Code.SERVER_ERROR: "Server error",
    Code.SAVE_FAILED: "Failed to save",
    Code.UPLOAD_FAILED: "File upload failed",
    Code.NOT_FOUND: "Not found",
    Code.AUTHENTICATION_REQUIRED: "Authentication required",
    Code.NOT_AUTHORISED: "Not authorized",
    Code.NOT_AUTHORISED_FOR_SUBMISSIONS: "Not authorized for submissions",
    Code.INVALID_REQUEST: "Invalid request",
    Code.VALIDATION_FAILED: "Validation failed",
    Code.MALFORMED_XML: "Malformed XML",
    Code.MALFORMED_FILE: "Malformed file",
    Code.REPORT_DOES_NOT_EXIST: "Report does not exist",
    Code.FILE_DOES_NOT_EXIST: "File does not exist",
    Code.ALREADY_RETRACTED: "Report has already been retracted",
    Code.ALREADY_FINISHED: "Report has already been finished",
}

# The HTTP status that goes with each code: clients read responseCode, proxies read the status.
HTTP_STATUS = {
    Code.SUCCESS: 200,
    Code.SERVER_ERROR: 500,
    Code.SAVE_FAILED: 500,
    Code.UPLOAD_FAILED: 500,
    Code.NOT_FOUND: 404,
    Code.AUTHENTICATION_REQUIRED: 401,
    Code.NOT_AUTHORISED: 403,
    Code.NOT_AUTHORISED_FOR_SUBMISSIONS: 403,
    Code.INVALID_REQUEST: 400,
    Code.VALIDATION_FAILED: 400,
    Code.MALFORMED_XML: 400,
    Code.MALFORMED_FILE: 400,
    Code.REPORT_DOES_NOT_EXIST: 404,
    Code.FILE_DOES_NOT_EXIST: 404,
    Code.ALREADY_RETRACTED: 409,
    Code.ALREADY_FINISHED: 409,
}


class IspwsError(Exception):
    """A CyberTipline error answer. `report_id` is the report the request named, when it named
    one: NCMEC's answers carry it on errors too (a client matches the answer to its report)."""

    def __init__(
        self, code: Code, detail: str | None = None, *, report_id: int | str | None = None
    ) -> None:
        super().__init__(detail or DESCRIPTIONS[code])
        self.code = code
        self.detail = detail or DESCRIPTIONS[code]
        self.report_id = report_id
