"""A responder that answers the way a model does to the request's shape.

- Tools offered, customer speaking: it calls the tools (all of them, in
  parallel, unless `parallel_tool_calls` is false or `tool_choice` names one
  or says "none"), each string argument filled with the customer's text.
- Tool results last: "Tool said: <result>; <result>".
- `response_format` json_object: `{"answer": "You said: ..."}`; json_schema:
  an instance of the schema, its strings filled with "You said: ...".
- Otherwise "You said: <last user text>" (choice i > 0 prefixed "(i+1) ").

Everything it writes echoes what it received, placeholders included, so the
proxy's restoring is exercised in text, JSON content and tool arguments.
"""

from __future__ import annotations

import json
from typing import Any

from guardrail.standin.provider import Reply, last_user_text


def protocol_responder(body: dict[str, Any]) -> Reply:
    messages = body.get("messages") or []
    results = _trailing_tool_results(messages)
    if results:
        return Reply(content="Tool said: " + "; ".join(results))
    echo = f"You said: {last_user_text(body)}"
    calls = _tool_calls(body, echo[len("You said: ") :])
    if calls:
        return Reply(tool_calls=calls)
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_object":
        return Reply(content=json.dumps({"answer": echo}, ensure_ascii=False))
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        return Reply(content=json.dumps(instance_of(schema, echo, schema), ensure_ascii=False))
    extra = [f"({i + 2}) {echo}" for i in range(max(0, int(body.get("n") or 1) - 1))]
    return Reply(content=echo, extra_choices=extra)


def _trailing_tool_results(messages: list[dict[str, Any]]) -> list[str]:
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        results.insert(0, str(content or ""))
    return results


def _tool_calls(body: dict[str, Any], text: str) -> list[dict[str, Any]]:
    tools = [t for t in body.get("tools") or [] if t.get("type") == "function"]
    choice = body.get("tool_choice")
    if not tools or choice == "none":
        return []
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        tools = [t for t in tools if t["function"]["name"] == wanted]
    if body.get("parallel_tool_calls") is False:
        tools = tools[:1]
    calls = []
    for position, tool in enumerate(tools):
        function = tool["function"]
        schema = function.get("parameters") or {"type": "object", "properties": {}}
        arguments = json.dumps(instance_of(schema, text, schema), ensure_ascii=False)
        calls.append(
            {
                "id": f"call_{position}",
                "type": "function",
                "function": {"name": function["name"], "arguments": arguments},
            }
        )
    return calls


def instance_of(schema: dict[str, Any], text: str, root: dict[str, Any]) -> Any:
    """A value valid for `schema` (the subset SDKs generate), strings = `text`."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return instance_of((root.get("$defs") or root.get("definitions") or {})[name], text, root)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return instance_of(options[0], text, root)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: instance_of(sub, text, root) for name, sub in properties.items()}
    if kind == "array":
        return [instance_of(schema.get("items") or {"type": "string"}, text, root)]
    return {"string": text, "integer": 1, "number": 1.5, "boolean": True, "null": None}.get(kind, text)
