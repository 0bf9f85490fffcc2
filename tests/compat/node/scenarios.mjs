// The official openai Node SDK against the proxy, written as an app would.
// Prints one JSON object: what each scenario got back. The Python test
// (tests/compat/test_node_sdk.py) decides what is right.
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.API_KEY, maxRetries: 0 });
const model = process.env.MODEL;
const greeting = process.env.GREETING;
const question = process.env.WEATHER_QUESTION;
const personal = process.env.PERSONAL_MESSAGE;
const tool = (name) => ({
  type: "function",
  function: {
    name,
    description: `The ${name} of a city.`,
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
});
const tools = [tool("get_weather"), tool("get_time")];
const results = { get_weather: process.env.WEATHER_RESULT, get_time: process.env.TIME_RESULT };
const user = (content) => [{ role: "user", content }];

async function streamText(params) {
  let text = "";
  let verdict = null;
  for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
    text += chunk.choices[0].delta.content ?? ""; // throws on a chunk without choices
    if (chunk.guardrail) verdict = chunk.guardrail.verdict;
  }
  return { text, verdict };
}

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return { status: error.status ?? null, name: error.constructor.name, code: error.code ?? null };
  }
}

const scenarios = {
  async plain() {
    const { data, response } = await client.chat.completions
      .create({ model, messages: user(greeting) })
      .withResponse();
    return { text: data.choices[0].message.content, requestId: data._request_id, header: response.headers.get("x-request-id") };
  },
  async streamed() {
    return streamText({ model, messages: user(greeting) });
  },
  async toolRoundTrip() {
    const messages = user(question);
    const first = await client.chat.completions.create({ model, messages, tools });
    const message = first.choices[0].message;
    messages.push(message);
    for (const call of message.tool_calls) {
      messages.push({ role: "tool", tool_call_id: call.id, content: results[call.function.name] });
    }
    const second = await client.chat.completions.create({ model, messages, tools });
    return {
      names: message.tool_calls.map((c) => c.function.name),
      arguments: message.tool_calls.map((c) => JSON.parse(c.function.arguments)),
      answer: second.choices[0].message.content,
    };
  },
  async streamedTools() {
    const runner = client.chat.completions.stream({ model, messages: user(question), tools });
    const final = await runner.finalChatCompletion();
    return { names: final.choices[0].message.tool_calls.map((c) => c.function.name) };
  },
  async twoChoices() {
    const reply = await client.chat.completions.create({ model, messages: user(greeting), n: 2 });
    return { texts: reply.choices.map((c) => c.message.content) };
  },
  async jsonObject() {
    const reply = await client.chat.completions.create({
      model,
      messages: user(greeting),
      response_format: { type: "json_object" },
    });
    return { parsed: JSON.parse(reply.choices[0].message.content), disclosure: reply.guardrail?.disclosure ?? null };
  },
  async jsonSchema() {
    const schema = {
      name: "answer",
      strict: true,
      schema: {
        type: "object",
        properties: { answer: { type: "string" }, confidence: { type: "number" } },
        required: ["answer", "confidence"],
        additionalProperties: false,
      },
    };
    const reply = await client.chat.completions.create({
      model,
      messages: user(greeting),
      response_format: { type: "json_schema", json_schema: schema },
    });
    return { parsed: JSON.parse(reply.choices[0].message.content) };
  },
  async errors() {
    const badKey = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: "not-a-key", maxRetries: 0 });
    return {
      missingModel: await errorOf(client.chat.completions.create({ model: "no-such-model", messages: user("hi") })),
      badKey: await errorOf(badKey.chat.completions.create({ model, messages: user("hi") })),
      unsupported: await errorOf(client.completions.create({ model, prompt: "hi" })),
    };
  },
  async personalData() {
    const reply = await client.chat.completions.create({ model, messages: user(personal) });
    const streamed = await streamText({ model, messages: user(personal) });
    return { text: reply.choices[0].message.content, streamed: streamed.text };
  },
};

const out = {};
for (const [name, run] of Object.entries(scenarios)) {
  try {
    out[name] = { ok: true, value: await run() };
  } catch (error) {
    out[name] = { ok: false, error: `${error.constructor.name}: ${error.message}` };
  }
}
process.stdout.write(JSON.stringify(out));
