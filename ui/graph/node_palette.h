#pragma once
// The palette: every node type of the catalogue, grouped by category, with
// its description as tooltip. Drag a type onto the canvas, or double-click
// (or press Enter on) it to place it in the middle of the view.
#include <QTreeWidget>

namespace outpost::ui {

class NodePalette : public QTreeWidget {
    Q_OBJECT

public:
    static constexpr const char* kMimeType = "application/x-outpost-node-type";
    static constexpr int TypeRole = Qt::UserRole + 1;

    explicit NodePalette(QWidget* parent = nullptr);

    // The translated title of a catalogue category ("flow" -> "Flow").
    static QString categoryTitle(const std::string& category);

    // The item of `type` ("llm"), or null.
    QTreeWidgetItem* itemForType(const QString& type) const;

signals:
    void nodeTypeActivated(const QString& type);

protected:
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override;
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
};

} // namespace outpost::ui
