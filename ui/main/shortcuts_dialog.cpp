#include "ui/main/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <functional>

namespace outpost::ui {

namespace {

QString plain(QString text)
{
    // "&Open Project…" -> "Open Project…" ("&&" is a literal ampersand).
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    return text;
}

void addMenu(QTreeWidget* tree, QTreeWidgetItem* parent, const QMenu* menu)
{
    auto* group = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
    group->setText(0, plain(menu->title()));
    QFont bold = tree->font();
    bold.setBold(true);
    group->setFont(0, bold);
    group->setFirstColumnSpanned(true);
    for (QAction* action : menu->actions()) {
        if (action->isSeparator())
            continue;
        if (const QMenu* sub = action->menu()) {
            addMenu(tree, group, sub);
            continue;
        }
        const QList<QKeySequence> keys = action->shortcuts();
        if (keys.isEmpty())
            continue;
        QStringList names;
        for (const QKeySequence& key : keys)
            names << key.toString(QKeySequence::NativeText);
        auto* item = new QTreeWidgetItem(group);
        item->setText(0, plain(action->text()));
        item->setText(1, names.join(QStringLiteral(", ")));
        item->setIcon(0, action->icon());
    }
    // A menu without shortcuts (Open Recent, Language) is left out.
    if (group->childCount() == 0)
        delete group;
}

void collect(const QTreeWidgetItem* item, const QString& path, QStringList& out)
{
    if (item->isHidden())
        return;
    const QString here = path.isEmpty() ? item->text(0) : path + QLatin1Char('/') + item->text(0);
    if (item->childCount() == 0)
        out << here + QLatin1Char('\t') + item->text(1);
    for (int i = 0; i < item->childCount(); ++i)
        collect(item->child(i), here, out);
}

} // namespace

ShortcutsDialog::ShortcutsDialog(const QMenuBar* menus, QWidget* parent)
    : QDialog(parent),
      m_filter(new QLineEdit(this)),
      m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("ShortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    m_filter->setPlaceholderText(tr("Filter by action or key"));
    m_filter->setClearButtonEnabled(true);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Action"), tr("Shortcut")});
    m_tree->setRootIsDecorated(false);
    m_tree->setSelectionMode(QAbstractItemView::NoSelection);
    m_tree->setFocusPolicy(Qt::NoFocus);
    for (QAction* action : menus->actions())
        if (const QMenu* menu = action->menu())
            addMenu(m_tree, nullptr, menu);
    m_tree->expandAll();
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_filter, &QLineEdit::textChanged, this, &ShortcutsDialog::applyFilter);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
    resize(520, 560);
}

void ShortcutsDialog::applyFilter(const QString& text)
{
    const QString needle = text.trimmed();
    // Groups stay visible while one of their rows matches.
    std::function<bool(QTreeWidgetItem*)> visit = [&](QTreeWidgetItem* item) {
        bool any = false;
        if (item->childCount() == 0) {
            any = needle.isEmpty() || item->text(0).contains(needle, Qt::CaseInsensitive)
                  || item->text(1).contains(needle, Qt::CaseInsensitive);
        } else {
            for (int i = 0; i < item->childCount(); ++i)
                any = visit(item->child(i)) || any;
        }
        item->setHidden(!any);
        return any;
    };
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        visit(m_tree->topLevelItem(i));
}

QStringList ShortcutsDialog::rows() const
{
    QStringList out;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        collect(m_tree->topLevelItem(i), QString(), out);
    return out;
}

} // namespace outpost::ui
