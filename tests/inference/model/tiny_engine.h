#pragma once
// The engine on the tiny real model (shared/models/stories260K.gguf), for
// the tests that run requests through it.
#include "inference/engine.h"

#include <QString>
#include <QtGlobal>

#include <memory>

namespace outpost::inference::testing {

inline QString tinyModelPath()
{
    return QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
}

// The tiny model with `config`'s other settings; null (the error printed)
// when it does not load.
inline std::unique_ptr<Engine> loadTinyEngine(EngineConfig config)
{
    config.modelPath = tinyModelPath().toStdString();
    auto engine = Engine::load(config);
    if (!engine) {
        qWarning("load: %s", engine.error().c_str());
        return nullptr;
    }
    return std::move(engine.value());
}

} // namespace outpost::inference::testing
