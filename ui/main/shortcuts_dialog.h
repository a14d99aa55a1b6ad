#pragma once
// Help > Keyboard Shortcuts: every action of the main window's menus that
// has a shortcut, grouped by menu, with a filter. Built from the menus each
// time it opens, so it lists exactly what the keys do now (translated
// texts, platform key names).
#include <QDialog>

class QLineEdit;
class QMenuBar;
class QTreeWidget;

namespace outpost::ui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QMenuBar* menus, QWidget* parent = nullptr);

    // For tests: the rows as "Menu/Action\tShortcut" (menu paths joined by
    // '/', mnemonics removed), in display order, hidden ones left out.
    QStringList rows() const;
    QLineEdit* filter() const { return m_filter; }

private:
    void applyFilter(const QString& text);

    QLineEdit* m_filter;
    QTreeWidget* m_tree;
};

} // namespace outpost::ui
