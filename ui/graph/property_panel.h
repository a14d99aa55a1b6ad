#pragma once
// The property panel: a form generated from the selected node's type in the
// catalogue (core/agent/node_types.h). Each property gets the editor its kind
// asks for: line edit (String), multi-line text (Text), spin box with the
// spec's range (Integer, Number), check box (Boolean), combo box (Choice),
// an editable list (StringList) or a JSON text editor that accepts only an
// object (Object). Every change goes through GraphDocument (one undoable
// command); the reset button removes the property so the default applies.
// The node id is edited here too (rename, refused with a reason when invalid
// or taken).
#include <QPointer>
#include <QWidget>

#include <functional>
#include <map>
#include <string>

class QFormLayout;
class QLabel;
class QLineEdit;
class QToolButton;
class QVBoxLayout;

namespace outpost::ui {

class GraphDocument;

class PropertyPanel : public QWidget {
    Q_OBJECT

public:
    explicit PropertyPanel(GraphDocument* document, QWidget* parent = nullptr);

    // Shows the node `id` ("" for none). Showing the node already shown only
    // refreshes the values, so an editor that has focus keeps it.
    void showNode(const std::string& id);
    const std::string& nodeId() const { return m_nodeId; }

    // Applies an edit still being typed in a multi-line editor (those apply
    // when they lose focus); call before saving.
    void commitPending();

    // The editor widget of property `name` (for tests), or null.
    QWidget* editor(const std::string& name) const;
    QLineEdit* idEditor() const { return m_idEdit; }

signals:
    void message(const QString& text);

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void refreshValues();
    void clearForm();
    void commitRename();

    struct Field {
        QWidget* editor = nullptr;
        QToolButton* reset = nullptr;
        QLabel* label = nullptr;
        std::function<void()> load;      // model -> widget
        std::function<void()> commit;    // widget -> model (focus-out editors)
    };

    GraphDocument* m_document;
    std::string m_nodeId;
    std::string m_nodeType;
    QVBoxLayout* m_layout;
    QWidget* m_form = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_description = nullptr;
    QLineEdit* m_idEdit = nullptr;
    QLabel* m_problems = nullptr;
    QLabel* m_placeholder = nullptr;
    std::map<std::string, Field> m_fields;
    bool m_inCommit = false;
};

} // namespace outpost::ui
