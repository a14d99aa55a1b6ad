#include "ui/chat/chat_delegate.h"

#include "ui/chat/chat_message_model.h"

#include <QAbstractItemView>
#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextDocument>
#include <QTimer>

namespace outpost::ui {

namespace {

constexpr int kPad = 8;
constexpr int kUserIndent = 48;
constexpr int kMaxArgLines = 12;
constexpr int kMaxResultLines = 8;
constexpr int kMaxExactLayouts = 400; // QTextDocuments kept; the rest are estimates

QString clipLines(const QString& text, int maxLines)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    if (lines.size() <= maxLines)
        return text;
    return lines.mid(0, maxLines).join(QLatin1Char('\n')) + QStringLiteral("\n…");
}

QString pretty(const OJson& value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_null())
        return {};
    return QString::fromStdString(value.dump(2, ' ', false, OJson::error_handler_t::replace));
}

// The state of a tool part as the card shows it.
std::pair<QString, QColor> stateLabel(const std::string& state)
{
    if (state == "approval-requested")
        return {ChatDelegate::tr("awaiting approval"), QColor(214, 140, 30)};
    if (state == "input-streaming")
        return {ChatDelegate::tr("preparing"), QColor(110, 130, 170)};
    if (state == "input-available" || state == "approval-responded")
        return {ChatDelegate::tr("running"), QColor(70, 130, 220)};
    if (state == "output-available")
        return {ChatDelegate::tr("result"), QColor(60, 160, 90)};
    if (state == "output-denied")
        return {ChatDelegate::tr("denied"), QColor(140, 140, 140)};
    if (state == "output-error")
        return {ChatDelegate::tr("error"), QColor(210, 70, 60)};
    return {QString::fromStdString(state), QColor(140, 140, 140)};
}

QString metricsText(const OJson& ui)
{
    if (!ui.contains("metadata") || !ui["metadata"].is_object())
        return {};
    const OJson& m = ui["metadata"];
    QStringList out;
    if (m.contains("ttftMs") && m["ttftMs"].is_number())
        out << ChatDelegate::tr("TTFT %1 ms").arg(qRound64(m["ttftMs"].get<double>()));
    if (m.contains("tokensPerSecond") && m["tokensPerSecond"].is_number())
        out << ChatDelegate::tr("%1 tok/s").arg(m["tokensPerSecond"].get<double>(), 0, 'f', 1);
    if (m.contains("completionTokens") && m["completionTokens"].is_number())
        out << ChatDelegate::tr("%1 tokens").arg(m["completionTokens"].get<int>());
    return out.join(QStringLiteral(" · "));
}

QFont smallFont(const QFont& base)
{
    QFont f = base;
    f.setPointSizeF(std::max(6.0, base.pointSizeF() * 0.85));
    return f;
}

QSize buttonSize(const QFontMetrics& fm, const QString& text) { return {fm.horizontalAdvance(text) + 24, fm.height() + 10}; }

} // namespace

ChatDelegate::ChatDelegate(QAbstractItemView* view) : QStyledItemDelegate(view), m_view(view) {}

ChatDelegate::~ChatDelegate() = default;

void ChatDelegate::clearCache()
{
    m_cache.clear();
}

int ChatDelegate::viewWidth() const { return m_view ? std::max(120, m_view->viewport()->width()) : 600; }

const ChatDelegate::Layout& ChatDelegate::layoutFor(const QStyleOptionViewItem& option, const QModelIndex& index, bool exact, bool* made) const
{
    if (made)
        *made = false;
    const auto* model = qobject_cast<const ChatMessageModel*>(index.model());
    const ChatMessage& msg = model->at(index.row());
    const QString key = index.data(ChatMessageModel::IdRole).toString() + QLatin1Char('#') + QString::number(index.row());
    const int width = viewWidth();
    auto it = m_cache.find(key);
    if (it != m_cache.end() && it->width == width && it->revision == msg.revision && (it->exact || !exact))
        return *it;
    if (exact && m_exactCount >= kMaxExactLayouts) {
        // Forget every layout: estimates come back cheaply, documents for
        // the visible rows are made again as they paint.
        m_cache.clear();
        m_exactCount = 0;
    }

    Layout l;
    l.revision = msg.revision;
    l.width = width;
    l.exact = exact;
    const std::string role = msg.ui.value("role", std::string());
    const bool user = role == "user";
    const int left = kPad + (user ? kUserIndent : 0);
    const int inner = std::max(60, width - left - kPad - 2 * kPad);
    const QFont font = option.font;
    const QFontMetrics fm(font);
    const QFont small = smallFont(font);
    const QFontMetrics sfm(small);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(small.pointSizeF());
    const QFontMetrics mfm(mono);

    int y = kPad;
    l.header = user ? tr("You") : role == "assistant" ? tr("Assistant") : QString::fromStdString(role);
    if (msg.streaming)
        l.header += QStringLiteral(" · ") + tr("writing…");
    l.headerRect = QRect(left + kPad, y, inner, sfm.height());
    y += sfm.height() + 4;

    const OJson& parts = msg.ui.contains("parts") && msg.ui["parts"].is_array() ? msg.ui["parts"] : OJson::array();
    for (const auto& p : parts) {
        if (!p.is_object())
            continue;
        const std::string type = p.value("type", "");
        if (type == "text") {
            const QString text = QString::fromStdString(p.value("text", std::string()));
            if (text.isEmpty())
                continue;
            Block b;
            int h = 0;
            if (exact) {
                b.doc = std::make_shared<QTextDocument>();
                b.doc->setDefaultFont(font);
                b.doc->setDocumentMargin(0);
                b.doc->setMarkdown(text);
                b.doc->setTextWidth(inner);
                h = int(std::ceil(b.doc->size().height()));
            } else {
                // One pass over the text: wrapped lines at an average character width.
                const int perLine = std::max(10, inner / std::max(1, fm.averageCharWidth()));
                int lines = 0, run = 0;
                for (const QChar c : text) {
                    if (c == QLatin1Char('\n')) {
                        lines += 1 + run / perLine;
                        run = 0;
                    } else {
                        ++run;
                    }
                }
                lines += 1 + run / perLine;
                h = lines * fm.lineSpacing();
            }
            b.rect = QRect(left + kPad, y, inner, h);
            y += h + 6;
            l.blocks.push_back(std::move(b));
        } else if (p.contains("toolCallId")) {
            Block b;
            b.tool = true;
            const std::string st = p.value("state", "");
            const auto [label, colour] = stateLabel(st);
            b.title = tr("Tool: %1").arg(QString::fromStdString(p.value("toolName", type.size() > 5 ? type.substr(5) : type)));
            b.state = label;
            b.stateColor = colour;
            QString body = tr("Arguments") + QLatin1Char('\n') + clipLines(p.contains("input") ? pretty(p["input"]) : QString(), kMaxArgLines);
            if (st == "output-available")
                body += QLatin1Char('\n') + tr("Result") + QLatin1Char('\n') + clipLines(pretty(p["output"]), kMaxResultLines);
            else if (st == "output-error")
                body += QLatin1Char('\n') + tr("Error") + QLatin1Char('\n') + clipLines(QString::fromStdString(p.value("errorText", std::string())), kMaxResultLines);
            else if (st == "output-denied")
                body += QLatin1Char('\n') + tr("The call was denied.");
            b.body = body;
            const int bodyLines = int(body.count(QLatin1Char('\n'))) + 1;
            int h = kPad + fm.height() + 4 + bodyLines * mfm.lineSpacing() + kPad;
            const int cardTop = y;
            if (st == "approval-requested") {
                const QSize approve = buttonSize(fm, tr("Approve"));
                const QSize deny = buttonSize(fm, tr("Deny"));
                const int by = cardTop + h;
                const QString callId = QString::fromStdString(p.value("toolCallId", std::string()));
                l.actions.push_back({QStringLiteral("approve:") + callId, QRect(QPoint(left + 2 * kPad, by), approve)});
                l.actions.push_back({QStringLiteral("deny:") + callId, QRect(QPoint(left + 2 * kPad + approve.width() + 8, by), deny)});
                h += approve.height() + kPad;
            }
            b.rect = QRect(left + kPad, cardTop, inner, h);
            y += h + 6;
            l.blocks.push_back(std::move(b));
        }
    }
    if (!msg.error.isEmpty()) {
        l.error = msg.error;
        const QRect r = sfm.boundingRect(QRect(0, 0, inner, 10000), Qt::TextWordWrap, msg.error);
        l.errorRect = QRect(left + kPad, y, inner, r.height());
        y += r.height() + 4;
    }
    // Footer: the reply's metrics, then the actions.
    l.footer = role == "assistant" ? metricsText(msg.ui) : QString();
    int x = left + kPad + (l.footer.isEmpty() ? 0 : sfm.horizontalAdvance(l.footer) + 16);
    l.footerRect = QRect(left + kPad, y, inner, sfm.height());
    auto link = [&](const QString& name, const QString& text) {
        const int w = sfm.horizontalAdvance(text);
        l.actions.push_back({name, QRect(x, y, w, sfm.height())});
        x += w + 12;
    };
    if (!msg.streaming) {
        link(QStringLiteral("copy"), tr("Copy"));
        if (user)
            link(QStringLiteral("edit"), tr("Edit"));
        else if (role == "assistant" && index.row() == model->rowCount() - 1)
            link(QStringLiteral("regenerate"), tr("Regenerate"));
    }
    y += sfm.height() + kPad;
    l.height = y;
    if (exact)
        ++m_exactCount;
    if (made)
        *made = true;
    return *m_cache.insert(key, std::move(l));
}

QSize ChatDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    return {viewWidth(), layoutFor(option, index, false).height};
}

void ChatDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    bool made = false;
    const Layout& l = layoutFor(option, index, true, &made);
    if (made && l.height != option.rect.height()) {
        // The row was placed by its estimate: give the view the real height.
        QPersistentModelIndex p(index);
        auto* self = const_cast<ChatDelegate*>(this);
        QTimer::singleShot(0, self, [self, p] {
            if (p.isValid())
                emit self->sizeHintChanged(p);
        });
    }
    const QPalette& pal = option.palette;
    const auto* model = qobject_cast<const ChatMessageModel*>(index.model());
    const ChatMessage& msg = model->at(index.row());
    const bool user = msg.ui.value("role", std::string()) == "user";
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->translate(option.rect.topLeft());
    const int left = kPad + (user ? kUserIndent : 0);
    const QRect bubble(left, 2, l.width - left - kPad, l.height - 4);
    if (user) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(pal.color(QPalette::AlternateBase));
        painter->drawRoundedRect(bubble, 8, 8);
    }
    if (option.state & QStyle::State_Selected) {
        painter->setPen(QPen(pal.color(QPalette::Highlight), 1.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(bubble, 8, 8);
    }
    const QFont small = smallFont(option.font);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(small.pointSizeF());
    QFont bold = small;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(pal.color(QPalette::PlaceholderText));
    painter->drawText(l.headerRect, Qt::AlignLeft | Qt::AlignVCenter, l.header);

    for (const Block& b : l.blocks) {
        if (b.doc) {
            painter->save();
            painter->translate(b.rect.topLeft());
            QAbstractTextDocumentLayout::PaintContext ctx;
            ctx.palette = pal;
            ctx.palette.setColor(QPalette::Text, pal.color(QPalette::Text));
            ctx.clip = QRectF(0, 0, b.rect.width(), b.rect.height());
            b.doc->documentLayout()->draw(painter, ctx);
            painter->restore();
        } else if (b.tool) {
            QColor fill = pal.color(QPalette::Base);
            fill = fill.lightness() > 128 ? fill.darker(104) : fill.lighter(125);
            painter->setPen(QPen(b.stateColor, 1.2));
            painter->setBrush(fill);
            painter->drawRoundedRect(b.rect, 6, 6);
            QFont titleFont = option.font;
            titleFont.setBold(true);
            const QFontMetrics tfm(titleFont);
            painter->setFont(titleFont);
            painter->setPen(pal.color(QPalette::Text));
            const QRect title(b.rect.left() + kPad, b.rect.top() + kPad, b.rect.width() - 2 * kPad, tfm.height());
            painter->drawText(title, Qt::AlignLeft | Qt::AlignVCenter, b.title);
            painter->setFont(bold);
            painter->setPen(b.stateColor);
            painter->drawText(title, Qt::AlignRight | Qt::AlignVCenter, b.state);
            painter->setFont(mono);
            painter->setPen(pal.color(QPalette::Text));
            const QRect body(title.left(), title.bottom() + 5, title.width(), b.rect.bottom() - title.bottom() - 5);
            painter->drawText(body, Qt::AlignLeft | Qt::AlignTop, b.body);
        }
    }
    if (!l.error.isEmpty()) {
        painter->setFont(small);
        painter->setPen(QColor(210, 70, 60));
        painter->drawText(l.errorRect, Qt::AlignLeft | Qt::TextWordWrap, l.error);
    }
    painter->setFont(small);
    if (!l.footer.isEmpty()) {
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(l.footerRect, Qt::AlignLeft | Qt::AlignVCenter, l.footer);
    }
    QStyle* style = m_view ? m_view->style() : QApplication::style();
    for (const auto& [name, rect] : l.actions) {
        if (name.startsWith(QLatin1String("approve:")) || name.startsWith(QLatin1String("deny:"))) {
            QStyleOptionButton button;
            button.rect = rect;
            button.text = name.startsWith(QLatin1String("approve:")) ? tr("Approve") : tr("Deny");
            button.palette = pal;
            button.state = QStyle::State_Enabled | QStyle::State_Raised;
            button.fontMetrics = QFontMetrics(option.font);
            painter->setFont(option.font);
            style->drawControl(QStyle::CE_PushButton, &button, painter, m_view);
        } else {
            painter->setFont(small);
            painter->setPen(pal.color(QPalette::Link));
            const QString text = name == QLatin1String("copy") ? tr("Copy") : name == QLatin1String("edit") ? tr("Edit") : tr("Regenerate");
            painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter, text);
        }
    }
    painter->restore();
}

QRect ChatDelegate::actionRect(const QModelIndex& index, const QString& name) const
{
    const QString key = index.data(ChatMessageModel::IdRole).toString() + QLatin1Char('#') + QString::number(index.row());
    auto it = m_cache.find(key);
    if (it == m_cache.end())
        return {};
    for (const auto& [n, r] : it->actions)
        if (n == name)
            return r;
    return {};
}

bool ChatDelegate::editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option, const QModelIndex& index)
{
    if (event->type() == QEvent::MouseButtonRelease) {
        auto* me = static_cast<QMouseEvent*>(event);
        if (me->button() == Qt::LeftButton) {
            const Layout& l = layoutFor(option, index, true);
            const QPoint at = me->position().toPoint() - option.rect.topLeft();
            for (const auto& [name, rect] : l.actions)
                if (rect.contains(at)) {
                    emit actionTriggered(index.row(), name);
                    return true;
                }
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace outpost::ui
