#pragma once
// ChatDelegate: paints one chat message (a row of ChatMessageModel) in a
// QListView: its text parts as Markdown (QTextDocument::setMarkdown), its
// tool calls as cards (name, arguments as indented JSON, state, result or
// error, Approve / Deny while approval is requested), the reply's TTFT and
// tokens/s beneath an assistant message, and the actions Copy, Edit (user
// messages) and Regenerate (the last reply).
//
// Lazy layout, so 5k messages stay cheap: sizeHint() of a message never laid
// out at the view's width is an estimate from its text length; paint() lays
// it out for real (cached by message id, revision and width) and, when the
// height differs, tells the view (sizeHintChanged). Only messages that are
// painted ever get a QTextDocument.
#include <QHash>
#include <QStyledItemDelegate>

#include <memory>
#include <vector>

class QAbstractItemView;
class QTextDocument;

namespace outpost::ui {

class ChatDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    explicit ChatDelegate(QAbstractItemView* view);
    ~ChatDelegate() override;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option, const QModelIndex& index) override;

    // Exact layouts made so far (tests and the bench check laziness).
    int exactLayouts() const { return m_exactCount; }
    void clearCache();
    // Where the action `name` ("copy", "edit", "regenerate", "approve:<callId>",
    // "deny:<callId>") of `index` is, relative to its item rect, as last laid out; empty if none.
    QRect actionRect(const QModelIndex& index, const QString& name) const;

signals:
    // An action link or button of message `row` was clicked.
    void actionTriggered(int row, const QString& action);

private:
    struct Block {
        std::shared_ptr<QTextDocument> doc; // text
        bool tool = false;
        QString title, state, body;         // tool card
        QColor stateColor;
        QRect rect;                         // relative to the item
    };
    struct Layout {
        quint64 revision = 0;
        int width = 0;
        bool exact = false;
        int height = 0;
        std::vector<Block> blocks;
        QString header, footer, error;
        QRect headerRect, footerRect, errorRect;
        std::vector<std::pair<QString, QRect>> actions;
    };
    const Layout& layoutFor(const QStyleOptionViewItem& option, const QModelIndex& index, bool exact, bool* made = nullptr) const;
    int viewWidth() const;

    QAbstractItemView* m_view;
    mutable QHash<QString, Layout> m_cache;
    mutable int m_exactCount = 0;
};

} // namespace outpost::ui
