#pragma once
// The most recently opened projects, newest first, kept in the settings.
#include <QStringList>

namespace outpost::ui {

class RecentProjects {
public:
    static constexpr int kMaximum = 10;

    static QStringList list();
    // Moves `path` to the front (adding it if new) and trims the list.
    static void add(const QString& path);
    static void remove(const QString& path);
    static void clear();
};

} // namespace outpost::ui
