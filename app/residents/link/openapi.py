"""The OpenAPI 3.1 document of the link API (served at /api/link/v1/openapi.json)."""
from __future__ import annotations

from app.openapi_common import PROBLEM_SCHEMA, problem_response
from app.query_params import BIGINT_MAX, INTEGER_MAX

ERRORS_LIMIT_DEFAULT = 100
ERRORS_LIMIT_MAX = 1000
_ERRORS = {"401": problem_response("トークンがない・無効"), "404": problem_response("対象がない（他団体のものを含む）")}
# Batch ids and generation numbers are PostgreSQL integer columns; a larger number names nothing (404).
_STORED_NUMBER = {"type": "integer", "format": "int32", "minimum": 1, "maximum": INTEGER_MAX}
_BATCH_ID = {"name": "batch_id", "in": "path", "required": True, "schema": _STORED_NUMBER}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL 住民情報データ連携 API", "version": "1.0.0",
             "description": "docs/resident-link.md の Pattern A。バッチ（ZIP）の送信、処理状況とエラー、"
                            "世代（副本）の一覧と書き出し。トークンは団体ごとに発行され、その団体のデータにだけ使えます。"},
    "servers": [{"url": "/api/link/v1"}],
    "security": [{"linkToken": []}],
    "paths": {
        "/batches": {"post": {
            "summary": "バッチ（manifest.json とデータファイルのZIP）を送る",
            "requestBody": {"required": True, "content": {"application/zip": {"schema": {"type": "string",
                                                                                        "format": "binary"}}}},
            "responses": {
                "202": {"description": "受け付けた（検証と反映はジョブで行う）",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}}},
                "200": {"description": "同じ連番・同じ内容のバッチ（何もしない）",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}}},
                "409": problem_response("連番の欠落（sequence_gap）・別内容の同じ連番（sequence_conflict）"),
                "422": problem_response("ZIP・manifest・チェックサム・件数の誤り（not_a_zip, manifest_invalid, "
                                        "lg_code_mismatch, file_missing, checksum_mismatch, record_count_mismatch）"),
                "413": problem_response("大きすぎる（too_large）"), **_ERRORS}}},
        "/batches/{batch_id}": {"get": {
            "summary": "バッチの状態・進捗・結果",
            "parameters": [_BATCH_ID],
            "responses": {"200": {"description": "バッチ",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}}},
                          **_ERRORS}}},
        "/batches/{batch_id}/errors": {"get": {
            "summary": "検証エラー（ファイル・行・列・理由）",
            "parameters": [
                _BATCH_ID,
                {"name": "offset", "in": "query", "description": "先頭から飛ばす件数",
                 "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": BIGINT_MAX, "default": 0}},
                {"name": "limit", "in": "query", "description": "返す件数の上限（範囲外は 400）",
                 "schema": {"type": "integer", "minimum": 1, "maximum": ERRORS_LIMIT_MAX,
                            "default": ERRORS_LIMIT_DEFAULT}}],
            "responses": {"200": {"description": "エラーの一覧", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"offset": {"type": "integer"}, "limit": {"type": "integer"},
                                                 "errors": {"type": "array",
                                                            "items": {"$ref": "#/components/schemas/Finding"}}}}}}},
                          "400": problem_response(
                              "offset・limit が整数でない・範囲外（invalid_parameter、details.parameter）"),
                          **_ERRORS}}},
        "/status": {"get": {"summary": "連携の状態（次に送る連番など）",
                            "responses": {"200": {"description": "状態", "content": {"application/json": {"schema": {
                                "type": "object", "properties": {
                                    "lg_code": {"type": "string"}, "expected_sequence": {"type": "integer"},
                                    "last_applied_sequence": {"type": ["integer", "null"]},
                                    "generations": {"type": "integer"}, "counts": {"type": "object"}}}}}},
                                          "401": _ERRORS["401"]}}},
        "/generations": {"get": {"summary": "世代（副本）の一覧",
                                 "responses": {"200": {"description": "世代", "content": {"application/json": {
                                     "schema": {"type": "object", "properties": {"generations": {
                                         "type": "array", "items": {"$ref": "#/components/schemas/Generation"}}}}}}},
                                     "401": _ERRORS["401"]}}},
        "/generations/{number}/export": {"get": {
            "summary": "世代をバッチZIPとして書き出す（全件の世代は受信したファイルそのもの）",
            "parameters": [{"name": "number", "in": "path", "required": True, "schema": _STORED_NUMBER}],
            "responses": {"200": {"description": "バッチZIP",
                                  "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                          "422": problem_response("保存期間を過ぎた世代（purged）"), **_ERRORS}}},
    },
    "components": {
        "securitySchemes": {"linkToken": {"type": "http", "scheme": "bearer",
                                          "description": "bcl.<団体コード>.<秘密の文字列>"}},
        "schemas": {
            "Problem": PROBLEM_SCHEMA,
            "Finding": {"type": "object", "properties": {
                "file": {"type": "string"}, "line": {"type": ["integer", "null"]}, "column": {"type": "string"},
                "code": {"type": "string"}, "message": {"type": "string"}}},
            "Batch": {"type": "object", "properties": {
                "id": {"type": "integer"}, "sequence": {"type": "integer"},
                "mode": {"enum": ["full", "diff"]},
                "status": {"enum": ["queued", "processing", "applied", "rejected"]},
                "progress": {"type": "integer"}, "progress_label": {"type": "string"},
                "error_count": {"type": "integer"}, "report": {"type": "object"},
                "duplicate": {"type": "boolean"}, "errors_url": {"type": "string"}}},
            "Generation": {"type": "object", "properties": {
                "number": {"type": "integer"}, "mode": {"enum": ["full", "diff"]}, "base": {"type": "integer"},
                "reference_at": {"type": "string", "format": "date-time"}, "counts": {"type": "object"},
                "checksums": {"type": "object"}, "purged": {"type": "boolean"}, "export_url": {"type": "string"}}},
        },
    },
}
