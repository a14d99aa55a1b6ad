#pragma once
// The inference engine's settings as the model manager edits them, kept in
// QSettings under "engine/". The engine itself is driven by whoever receives
// ModelManager's signals; this struct is only the data.
#include <QMetaType>

class QSettings;

namespace outpost::ui {

struct EngineSettings {
    int threads = 0;           // 0: one per core
    int kvBudgetMiB = 1024;    // memory for the KV cache; more = longer/more sequences
    int contextLength = 0;     // 0: the model's own context length

    // Reads the settings, clamping anything out of range to the nearest
    // valid value (a hand-edited settings file never yields nonsense).
    static EngineSettings load(const QSettings& settings);
    static EngineSettings load();
    void save(QSettings& settings) const;
    void save() const;

    // Limits the editors and load() enforce.
    static constexpr int kMaxThreads = 512;
    static constexpr int kMinKvBudgetMiB = 16;
    static constexpr int kMaxKvBudgetMiB = 1024 * 1024;
    static constexpr int kMaxContextLength = 1 << 24;

    bool operator==(const EngineSettings&) const = default;
};

} // namespace outpost::ui

Q_DECLARE_METATYPE(outpost::ui::EngineSettings)
