#pragma once
// OpenAI-compatible HTTP endpoints on the gateway, served by one model:
//   GET  /v1/models             {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
//   POST /v1/chat/completions   a chat.completion, or with "stream": true
//                               server-sent events: "data: <chat.completion.chunk>\n\n"
//                               with choices[0].delta, then "data: [DONE]\n\n"
//   POST /v1/embeddings         {"object":"list","data":[{"object":"embedding","index","embedding"}]}
//                               (501 when the model cannot embed)
// Bad requests get 400 with {"error":{"message","type":"invalid_request_error"}};
// with no model loaded every route but /v1/models answers 503.
// A client that disconnects mid-stream cancels its generation.
#include "core/gateway/gateway.h"
#include "core/llm/chat_model.h"

#include <memory>

namespace outpost::core::gateway {

void addOpenAiRoutes(Gateway& gateway, std::shared_ptr<llm::ChatModel> model);

} // namespace outpost::core::gateway
