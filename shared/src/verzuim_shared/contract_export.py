"""Export the public contract: one JSON Schema per event type and one AsyncAPI 3 document.

`verzuim-contract --out docs/contract` writes them; a test keeps the committed copy in step with the code.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from verzuim_shared.events import EVENT_TYPES


def json_schemas() -> dict[str, dict[str, Any]]:
    return {subj: cls.model_json_schema() for subj, cls in sorted(EVENT_TYPES.items())}


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for subj, cls in sorted(EVENT_TYPES.items()):
        name = cls.__name__
        messages[name] = {
            "name": name,
            "title": name,
            "summary": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else name,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "headers": {
                "type": "object",
                "properties": {
                    "Nats-Msg-Id": {"type": "string", "description": "dedupe id (= ce-id)"},
                    "ce-specversion": {"const": "1.0"},
                    "ce-id": {"type": "string"},
                    "ce-source": {"type": "string"},
                    "ce-type": {"const": subj},
                    "ce-time": {"type": "string", "format": "date-time"},
                    "ce-subject": {"type": "string", "description": "werkgever_id"},
                },
            },
        }
        channel_id = subj.replace(".", "_")
        channels[channel_id] = {
            "address": subj,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"receive{name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
        }
    schemas = {}
    for cls in EVENT_TYPES.values():
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        for def_name, definition in schema.pop("$defs", {}).items():
            schemas[def_name] = definition
        schemas[cls.__name__] = schema
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "verzuim events",
            "version": "1.0.0",
            "description": "Public event streams of verzuim on NATS JetStream; subjects verzuim.<stream>.v1.<type>.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def write_contract(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for subj, schema in json_schemas().items():
        path = out / f"{subj}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    path = out / "asyncapi.json"
    path.write_text(json.dumps(asyncapi_document(), indent=2, ensure_ascii=False) + "\n")
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/contract"))
    args = parser.parse_args(argv)
    for path in write_contract(args.out):
        print(path)
