#include "ui/main/recent_projects.h"

#include <QDir>
#include <QSettings>

namespace outpost::ui {

namespace {
const char* const kKey = "recentProjects";
}

QStringList RecentProjects::list()
{
    return QSettings().value(QLatin1String(kKey)).toStringList();
}

void RecentProjects::add(const QString& path)
{
    const QString clean = QDir::cleanPath(QDir(path).absolutePath());
    QStringList paths = list();
    paths.removeAll(clean);
    paths.prepend(clean);
    while (paths.size() > kMaximum)
        paths.removeLast();
    QSettings().setValue(QLatin1String(kKey), paths);
}

void RecentProjects::remove(const QString& path)
{
    QStringList paths = list();
    paths.removeAll(QDir::cleanPath(path));
    QSettings().setValue(QLatin1String(kKey), paths);
}

void RecentProjects::clear()
{
    QSettings().remove(QLatin1String(kKey));
}

} // namespace outpost::ui
