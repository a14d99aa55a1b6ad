// outpost tokenize --model FILE --text TEXT: the token ids (and the text of
// each token) a model's tokenizer gives for a text, as the engine will see it.
#include "cli/command.h"

#include "inference/gguf/gguf_file.h"
#include "inference/tokenizer/tokenizer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace outpost::cli {

namespace {

using inference::tokenizer::Tokenizer;
using inference::tokenizer::TokenId;

QString tr(const char* text) { return QCoreApplication::translate("outpost::cli", text); }

// A token's bytes as a readable, unambiguous literal: "\n", "\t", "\\" and
// "\"" escaped, bytes that are not valid UTF-8 (partial characters of byte
// tokens) as \xNN.
QString quoted(const std::string& bytes)
{
    QString s = QStringLiteral("\"");
    const QByteArray raw = QByteArray::fromStdString(bytes);
    for (qsizetype i = 0; i < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[i]);
        std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len > 1 && i + static_cast<qsizetype>(len) <= raw.size()) {
            const QByteArray seq = raw.mid(i, static_cast<qsizetype>(len));
            const QString decoded = QString::fromUtf8(seq);
            if (!decoded.contains(QChar::ReplacementCharacter) && decoded.toUtf8() == seq) {
                s += decoded;
                i += static_cast<qsizetype>(len);
                continue;
            }
        }
        if (len == 1 && c >= 0x20 && c != 0x7F) {
            if (c == '"' || c == '\\')
                s += QLatin1Char('\\');
            s += QLatin1Char(static_cast<char>(c));
        } else if (c == '\n') {
            s += QStringLiteral("\\n");
        } else if (c == '\t') {
            s += QStringLiteral("\\t");
        } else if (c == '\r') {
            s += QStringLiteral("\\r");
        } else {
            s += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
        }
        ++i;
    }
    return s + QLatin1Char('"');
}

} // namespace

int runTokenize(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Tokenize a text with a model's tokenizer and print the token ids and "
                                        "the text of each token."));
    parser.addHelpOption();
    const QCommandLineOption modelOption(QStringLiteral("model"), tr("The .gguf model (or vocabulary-only) file."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption textOption(QStringLiteral("text"),
                                        tr("The text to tokenize (read from standard input when absent)."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        tr("Print {\"ids\": [...], \"pieces\": [...], \"pieces_hex\": [...]}."));
    const QCommandLineOption noBosOption(QStringLiteral("no-bos"),
                                         tr("Do not add the BOS/EOS tokens the model asks for."));
    const QCommandLineOption specialOption(QStringLiteral("special"),
                                           tr("Recognise special tokens such as <|eot_id|> written in the text."));
    parser.addOptions({modelOption, textOption, jsonOption, noBosOption, specialOption});
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (const auto exit = parseCommandLine(parser, "tokenize", args))
        return *exit;
    if (!parser.isSet(modelOption) || !parser.positionalArguments().isEmpty()) {
        err << tr("outpost tokenize: give --model FILE and --text TEXT (see --help)") << "\n";
        return kExitUsage;
    }

    QByteArray text;
    if (parser.isSet(textOption)) {
        text = parser.value(textOption).toUtf8();
    } else {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            err << tr("outpost tokenize: cannot read standard input") << "\n";
            return kExitFailure;
        }
        text = in.readAll();
    }

    auto file = inference::gguf::GgufFile::open(parser.value(modelOption).toStdString());
    if (!file) {
        err << tr("outpost tokenize: %1").arg(QString::fromStdString(file.error())) << "\n";
        return kExitFailure;
    }
    auto tokenizer = Tokenizer::fromGguf(**file);
    if (!tokenizer) {
        err << tr("outpost tokenize: %1").arg(QString::fromStdString(tokenizer.error())) << "\n";
        return kExitFailure;
    }

    const std::vector<TokenId> ids = tokenizer->tokenize(std::string_view(text.constData(), static_cast<std::size_t>(text.size())),
                                                         !parser.isSet(noBosOption), parser.isSet(specialOption));
    if (parser.isSet(jsonOption)) {
        QJsonArray idArray, pieces, hex;
        for (const TokenId id : ids) {
            const QByteArray piece = QByteArray::fromStdString(tokenizer->tokenToPiece(id, true));
            idArray.append(id);
            pieces.append(QString::fromUtf8(piece));   // partial characters show as U+FFFD; see pieces_hex
            hex.append(QString::fromLatin1(piece.toHex()));
        }
        const QJsonObject o{{QStringLiteral("ids"), idArray},
                            {QStringLiteral("pieces"), pieces},
                            {QStringLiteral("pieces_hex"), hex}};
        out << QJsonDocument(o).toJson(QJsonDocument::Compact) << "\n";
        return kExitOk;
    }
    for (const TokenId id : ids)
        out << id << "\t" << quoted(tokenizer->tokenToPiece(id, true)) << "\n";
    out << QCoreApplication::translate("outpost::cli", "%n token(s)", nullptr, static_cast<int>(ids.size())) << "\n";
    return kExitOk;
}

} // namespace outpost::cli
