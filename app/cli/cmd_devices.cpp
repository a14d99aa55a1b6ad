// outpost devices: the compute devices the engine can use on this machine.
#include "cli/command.h"

#include "inference/backend/device.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace outpost::cli {

int runDevices(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("outpost::cli", "List the compute devices the engine can use."));
    parser.addHelpOption();
    const QCommandLineOption json(QStringLiteral("json"), QCoreApplication::translate("outpost::cli", "Print one JSON object."));
    parser.addOption(json);
    if (const auto exit = parseCommandLine(parser, "devices", args))
        return *exit;

    const auto report = inference::listDevices();
    QTextStream out(stdout);
    if (parser.isSet(json)) {
        QJsonArray devices;
        for (const auto& d : report.devices)
            devices.append(QJsonObject{{QStringLiteral("backend"), QString::fromStdString(d.backend)},
                                       {QStringLiteral("index"), d.index},
                                       {QStringLiteral("name"), QString::fromStdString(d.name)},
                                       {QStringLiteral("memory_bytes"), static_cast<double>(d.memoryBytes)},
                                       {QStringLiteral("details"), QString::fromStdString(d.details)}});
        QJsonArray notes;
        for (const auto& n : report.notes)
            notes.append(QString::fromStdString(n));
        out << QJsonDocument(QJsonObject{{QStringLiteral("devices"), devices},
                                         {QStringLiteral("cuda_built"), inference::cudaBackendBuilt()},
                                         {QStringLiteral("notes"), notes}})
                   .toJson(QJsonDocument::Compact)
            << "\n";
        return kExitOk;
    }
    for (const auto& d : report.devices) {
        out << QStringLiteral("%1:%2  %3  (%4 MiB)\n")
                   .arg(QString::fromStdString(d.backend))
                   .arg(d.index)
                   .arg(QString::fromStdString(d.name))
                   .arg(d.memoryBytes / (1024 * 1024));
        out << QStringLiteral("       %1\n").arg(QString::fromStdString(d.details));
    }
    for (const auto& n : report.notes)
        out << QString::fromStdString(n) << "\n";
    return kExitOk;
}

} // namespace outpost::cli
