#include "ui/models/engine_settings.h"

#include <QSettings>

#include <algorithm>

namespace outpost::ui {

namespace {
const char* const kThreadsKey = "engine/threads";
const char* const kKvBudgetKey = "engine/kvBudgetMiB";
const char* const kContextKey = "engine/contextLength";
} // namespace

EngineSettings EngineSettings::load(const QSettings& settings)
{
    EngineSettings s;
    bool ok = false;
    int v = settings.value(QLatin1String(kThreadsKey), s.threads).toInt(&ok);
    s.threads = ok ? std::clamp(v, 0, kMaxThreads) : 0;
    v = settings.value(QLatin1String(kKvBudgetKey), s.kvBudgetMiB).toInt(&ok);
    s.kvBudgetMiB = ok ? std::clamp(v, kMinKvBudgetMiB, kMaxKvBudgetMiB) : EngineSettings{}.kvBudgetMiB;
    v = settings.value(QLatin1String(kContextKey), s.contextLength).toInt(&ok);
    s.contextLength = ok ? std::clamp(v, 0, kMaxContextLength) : 0;
    return s;
}

EngineSettings EngineSettings::load()
{
    return load(QSettings());
}

void EngineSettings::save(QSettings& settings) const
{
    settings.setValue(QLatin1String(kThreadsKey), threads);
    settings.setValue(QLatin1String(kKvBudgetKey), kvBudgetMiB);
    settings.setValue(QLatin1String(kContextKey), contextLength);
}

void EngineSettings::save() const
{
    QSettings settings;
    save(settings);
}

} // namespace outpost::ui
