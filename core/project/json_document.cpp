#include "core/project/json_document.h"

#include "core/json/untrusted_json.h"

#include <QFile>
#include <QSaveFile>

namespace outpost::core {

namespace {
struct JsonText {
    Q_DECLARE_TR_FUNCTIONS(outpost::core::JsonDocument)
};

// nlohmann reports a byte offset; turn it into a 1-based line and column.
void lineAndColumn(const QByteArray& bytes, std::size_t offset, int* line, int* column)
{
    int l = 1;
    int c = 1;
    const auto end = std::min<std::size_t>(offset, static_cast<std::size_t>(bytes.size()));
    for (std::size_t i = 0; i < end; ++i) {
        if (bytes[static_cast<qsizetype>(i)] == '\n') {
            ++l;
            c = 1;
        } else {
            ++c;
        }
    }
    *line = l;
    // nlohmann's byte position points one past the offending character.
    *column = std::max(1, c - 1);
}

// "syntax error while parsing object - unexpected '}'; expected string literal"
// -> "unexpected '}'; expected string literal"
QString shortParseMessage(const nlohmann::json::parse_error& e)
{
    std::string what = e.what();
    const auto dash = what.rfind(" - ");
    if (dash != std::string::npos)
        what = what.substr(dash + 3);
    return QString::fromStdString(what);
}

} // namespace

Loaded<Json> parseJson(const QByteArray& bytes, const QString& displayName)
{
    Loaded<Json> out;
    // The parser does not recurse, but copying or writing the document does.
    if (const auto at = json::tooDeepAt(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        at >= 0) {
        Diagnostic d;
        d.file = displayName;
        // lineAndColumn() expects nlohmann's one-past offset.
        lineAndColumn(bytes, static_cast<std::size_t>(at) + 1, &d.line, &d.column);
        d.message = JsonText::tr("not valid JSON: nested deeper than %1 levels").arg(json::kMaxNesting);
        out.diagnostics.push_back(d);
        return out;
    }
    try {
        out.value = Json::parse(bytes.constBegin(), bytes.constEnd());
    } catch (const nlohmann::json::parse_error& e) {
        Diagnostic d;
        d.file = displayName;
        lineAndColumn(bytes, e.byte, &d.line, &d.column);
        d.message = JsonText::tr("not valid JSON: %1").arg(shortParseMessage(e));
        out.diagnostics.push_back(d);
    }
    return out;
}

Loaded<Json> readJsonFile(const QString& path, const QString& displayName)
{
    Loaded<Json> out;
    QFile file(path);
    if (!file.exists()) {
        out.diagnostics.push_back({Diagnostic::Severity::Error, displayName, {}, 0, 0, JsonText::tr("file not found")});
        return out;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        out.diagnostics.push_back(
            {Diagnostic::Severity::Error, displayName, {}, 0, 0, JsonText::tr("cannot read: %1").arg(file.errorString())});
        return out;
    }
    if (file.size() > kMaxProjectFileBytes) {
        out.diagnostics.push_back({Diagnostic::Severity::Error, displayName, {}, 0, 0,
                                   JsonText::tr("file is %1 bytes; project files are limited to %2 bytes")
                                       .arg(file.size())
                                       .arg(kMaxProjectFileBytes)});
        return out;
    }
    return parseJson(file.readAll(), displayName);
}

QByteArray canonicalJson(const Json& document)
{
    const std::string text = document.dump(2, ' ', false, nlohmann::json::error_handler_t::strict);
    QByteArray bytes = QByteArray::fromStdString(text);
    bytes.append('\n');
    return bytes;
}

QString writeJsonFile(const QString& path, const Json& document)
{
    QByteArray bytes;
    try {
        bytes = canonicalJson(document);
    } catch (const nlohmann::json::exception& e) {
        return JsonText::tr("cannot serialise: %1").arg(QString::fromUtf8(e.what()));
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return file.errorString();
    if (file.write(bytes) != bytes.size())
        return file.errorString();
    if (!file.commit())
        return file.errorString();
    return {};
}

static QString escapePointerToken(std::string_view token)
{
    QString s = QString::fromUtf8(token.data(), static_cast<qsizetype>(token.size()));
    s.replace(QLatin1Char('~'), QStringLiteral("~0"));
    s.replace(QLatin1Char('/'), QStringLiteral("~1"));
    return s;
}

QString jsonPointerAppend(const QString& base, std::string_view key)
{
    return base + QLatin1Char('/') + escapePointerToken(key);
}

QString jsonPointerAppend(const QString& base, std::size_t index)
{
    return base + QLatin1Char('/') + QString::number(index);
}

QString jsonPointer(std::initializer_list<std::variant<std::string_view, std::size_t>> segments)
{
    QString out;
    for (const auto& segment : segments) {
        if (std::holds_alternative<std::size_t>(segment))
            out = jsonPointerAppend(out, std::get<std::size_t>(segment));
        else
            out = jsonPointerAppend(out, std::get<std::string_view>(segment));
    }
    return out;
}

QString jsonTypeName(const Json& value)
{
    switch (value.type()) {
    case Json::value_t::null: return QStringLiteral("null");
    case Json::value_t::object: return QStringLiteral("object");
    case Json::value_t::array: return QStringLiteral("array");
    case Json::value_t::string: return QStringLiteral("string");
    case Json::value_t::boolean: return QStringLiteral("boolean");
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return QStringLiteral("integer");
    case Json::value_t::number_float: return QStringLiteral("number");
    case Json::value_t::binary: return QStringLiteral("binary");
    case Json::value_t::discarded: return QStringLiteral("invalid");
    }
    return QStringLiteral("invalid");
}

} // namespace outpost::core
