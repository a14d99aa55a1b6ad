#include "core/project/sample_project.h"

#include "core/project/manifest.h"
#include "core/project/project.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QFile>

namespace outpost::core {

namespace {
struct SampleText {
    Q_DECLARE_TR_FUNCTIONS(outpost::core::SampleProject)
};
} // namespace

QString installSampleProject(const QString& targetDir)
{
    const QString source = QStringLiteral(":/outpost/samples/%1").arg(QLatin1String(kSampleProjectName));
    if (!QDir(source).exists())
        return SampleText::tr("this build has no sample project");
    QDir target(targetDir);
    if (target.exists(QLatin1String(Manifest::kFileName)))
        return SampleText::tr("%1 already holds a project").arg(QDir::toNativeSeparators(targetDir));
    QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString from = it.next();
        const QString relative = QDir(source).relativeFilePath(from);
        const QString to = target.filePath(relative);
        if (!QDir().mkpath(QFileInfo(to).absolutePath()))
            return SampleText::tr("cannot create %1").arg(QDir::toNativeSeparators(QFileInfo(to).absolutePath()));
        QFile::remove(to);
        if (!QFile::copy(from, to))
            return SampleText::tr("cannot write %1").arg(QDir::toNativeSeparators(to));
        // Resource files are read-only; the copy belongs to the user.
        QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    return {};
}

QString createProjectFromSample(const QString& targetDir, const QString& name)
{
    if (!isValidName(name))
        return SampleText::tr("\"%1\" is not a valid project name: use a letter, then letters, digits, \"_\" or \"-\" (at most 64)")
            .arg(name);
    if (const QString error = installSampleProject(targetDir); !error.isEmpty())
        return error;
    auto opened = Project::open(targetDir);
    if (!opened.ok())
        return opened.diagnostics.isEmpty() ? SampleText::tr("the new project cannot be opened") : opened.diagnostics.first().toString();
    opened.value->manifest().setName(name);
    return opened.value->saveManifest();
}

} // namespace outpost::core
