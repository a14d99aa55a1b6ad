#include "ui/models/model_manager.h"

#include "ui/models/model_list_model.h"

#include <QCheckBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

namespace outpost::ui {

namespace {
const char* const kFoldersKey = "models/folders";
const char* const kOtherAppsKey = "models/searchOtherApps";
enum Detail { PathDetail, ArchitectureDetail, ParametersDetail, QuantisationDetail, ContextDetail, SizeDetail, TensorsDetail, ProblemDetail, DetailCount };
} // namespace

ModelManager::ModelManager(QWidget* parent)
    : QWidget(parent),
      m_model(new ModelListModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_thread(new QThread(this)),
      m_scanner(new ModelScanner)
{
    setObjectName(QStringLiteral("ModelManager"));
    m_scanner->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_scanner, &QObject::deleteLater);
    connect(this, &ModelManager::startScan, m_scanner, &ModelScanner::scan);
    connect(m_scanner, &ModelScanner::modelsFound, this, [this](const QList<ModelInfo>& models) { m_model->addModels(models); });
    connect(m_scanner, &ModelScanner::progress, this, &ModelManager::onProgress);
    connect(m_scanner, &ModelScanner::finished, this, &ModelManager::onFinished);
    m_thread->setObjectName(QStringLiteral("ModelScanner"));
    m_thread->start(QThread::LowPriority);

    QSettings settings;
    m_folders = settings.value(QLatin1String(kFoldersKey)).toStringList();
    m_searchOtherApps = settings.value(QLatin1String(kOtherAppsKey), true).toBool();
    m_settings = EngineSettings::load(settings);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ModelListModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    // ---- top bar: filter, scan controls, progress ----
    m_filter = new QLineEdit(this);
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_rescanButton = new QPushButton(QIcon::fromTheme(QStringLiteral("view-refresh")), QString(), this);
    connect(m_rescanButton, &QPushButton::clicked, this, &ModelManager::rescan);
    m_cancelButton = new QPushButton(QIcon::fromTheme(QStringLiteral("process-stop")), QString(), this);
    connect(m_cancelButton, &QPushButton::clicked, this, &ModelManager::cancelScan);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    top->addWidget(m_filter, 2);
    top->addWidget(m_rescanButton);
    top->addWidget(m_cancelButton);
    top->addWidget(m_progress, 1);
    top->addWidget(m_status, 2);

    // ---- table and details ----
    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ModelListModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->resizeSection(ModelListModel::NameColumn, 240);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateDetails();
        updateButtons();
    });
    connect(m_view, &QTableView::doubleClicked, this, [this] {
        if (const ModelInfo* m = currentModel(); m && m->ok())
            emit loadRequested(m->path, m_settings);
    });

    m_detailsBox = new QGroupBox(this);
    m_detailsForm = new QFormLayout;
    m_detailsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (int i = 0; i < DetailCount; ++i) {
        m_detailLabels[i] = new QLabel(m_detailsBox);
        m_detailValues[i] = new QLabel(m_detailsBox);
        m_detailValues[i]->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_detailValues[i]->setWordWrap(true);
        m_detailsForm->addRow(m_detailLabels[i], m_detailValues[i]);
    }
    m_loadButton = new QPushButton(QIcon::fromTheme(QStringLiteral("media-playback-start")), QString(), m_detailsBox);
    m_unloadButton = new QPushButton(QIcon::fromTheme(QStringLiteral("media-eject")), QString(), m_detailsBox);
    connect(m_loadButton, &QPushButton::clicked, this, [this] {
        if (const ModelInfo* m = currentModel(); m && m->ok())
            emit loadRequested(m->path, m_settings);
    });
    connect(m_unloadButton, &QPushButton::clicked, this, &ModelManager::unloadRequested);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_loadButton);
    buttons->addWidget(m_unloadButton);
    auto* detailsLayout = new QVBoxLayout(m_detailsBox);
    detailsLayout->addLayout(m_detailsForm);
    detailsLayout->addStretch(1);
    detailsLayout->addLayout(buttons);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(m_detailsBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({760, 320});
    split->setChildrenCollapsible(false);
    m_detailsBox->setMinimumWidth(260);

    // ---- folders ----
    m_foldersBox = new QGroupBox(this);
    m_folderList = new QListWidget(m_foldersBox);
    m_folderList->setMaximumHeight(90);
    m_addFolderButton = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), QString(), m_foldersBox);
    m_removeFolderButton = new QPushButton(QIcon::fromTheme(QStringLiteral("list-remove")), QString(), m_foldersBox);
    m_otherAppsCheck = new QCheckBox(m_foldersBox);
    m_otherAppsCheck->setChecked(m_searchOtherApps);
    connect(m_addFolderButton, &QPushButton::clicked, this, &ModelManager::addFolder);
    connect(m_removeFolderButton, &QPushButton::clicked, this, &ModelManager::removeFolder);
    connect(m_folderList, &QListWidget::currentRowChanged, this, &ModelManager::updateButtons);
    connect(m_otherAppsCheck, &QCheckBox::toggled, this, &ModelManager::setSearchOtherApps);
    auto* folderButtons = new QVBoxLayout;
    folderButtons->addWidget(m_addFolderButton);
    folderButtons->addWidget(m_removeFolderButton);
    folderButtons->addStretch(1);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folderList, 1);
    folderRow->addLayout(folderButtons);
    auto* foldersLayout = new QVBoxLayout(m_foldersBox);
    foldersLayout->addLayout(folderRow);
    foldersLayout->addWidget(m_otherAppsCheck);

    // ---- engine settings ----
    m_engineBox = new QGroupBox(this);
    m_engineForm = new QFormLayout(m_engineBox);
    m_threadsLabel = new QLabel(m_engineBox);
    m_kvLabel = new QLabel(m_engineBox);
    m_contextLabel = new QLabel(m_engineBox);
    m_threadsSpin = new QSpinBox(m_engineBox);
    m_threadsSpin->setRange(0, EngineSettings::kMaxThreads);
    m_kvSpin = new QSpinBox(m_engineBox);
    m_kvSpin->setRange(EngineSettings::kMinKvBudgetMiB, EngineSettings::kMaxKvBudgetMiB);
    m_kvSpin->setSingleStep(256);
    m_kvSpin->setSuffix(QStringLiteral(" MiB"));
    m_contextSpin = new QSpinBox(m_engineBox);
    m_contextSpin->setRange(0, EngineSettings::kMaxContextLength);
    m_contextSpin->setSingleStep(1024);
    m_engineForm->addRow(m_threadsLabel, m_threadsSpin);
    m_engineForm->addRow(m_kvLabel, m_kvSpin);
    m_engineForm->addRow(m_contextLabel, m_contextSpin);
    setEngineSettings(m_settings);
    for (QSpinBox* spin : {m_threadsSpin, m_kvSpin, m_contextSpin})
        connect(spin, &QSpinBox::valueChanged, this, &ModelManager::settingsEdited);

    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_foldersBox, 3);
    bottom->addWidget(m_engineBox, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    layout->addLayout(bottom);

    for (const QString& f : m_folders)
        m_folderList->addItem(QDir::toNativeSeparators(f));
    retranslate();
    updateDetails();
    updateButtons();
}

ModelManager::~ModelManager()
{
    m_scanner->cancel();
    m_thread->quit();
    m_thread->wait();
}

void ModelManager::setFolders(const QStringList& folders)
{
    m_folders.clear();
    for (const QString& f : folders) {
        const QString clean = QDir::cleanPath(QDir(f).absolutePath());
        if (!m_folders.contains(clean))
            m_folders << clean;
    }
    QSettings().setValue(QLatin1String(kFoldersKey), m_folders);
    m_folderList->clear();
    for (const QString& f : m_folders)
        m_folderList->addItem(QDir::toNativeSeparators(f));
    updateButtons();
}

void ModelManager::setSearchOtherApps(bool on)
{
    m_searchOtherApps = on;
    QSettings().setValue(QLatin1String(kOtherAppsKey), on);
    if (m_otherAppsCheck->isChecked() != on)
        m_otherAppsCheck->setChecked(on);
}

QList<ScanFolder> ModelManager::scanFolders() const
{
    QList<ScanFolder> all;
    for (const QString& f : m_folders)
        all.push_back({f, QDir::toNativeSeparators(f), false});
    if (m_searchOtherApps)
        all += ModelScanner::wellKnownFolders(QDir::homePath());
    return all;
}

void ModelManager::setEngineSettings(const EngineSettings& settings)
{
    const QSignalBlocker b1(m_threadsSpin), b2(m_kvSpin), b3(m_contextSpin);
    m_threadsSpin->setValue(settings.threads);
    m_kvSpin->setValue(settings.kvBudgetMiB);
    m_contextSpin->setValue(settings.contextLength);
    const bool changed = !(settings == m_settings);
    // Read back so out-of-range values are clamped the way the editors show them.
    m_settings = {m_threadsSpin->value(), m_kvSpin->value(), m_contextSpin->value()};
    m_settings.save();
    if (changed)
        emit engineSettingsChanged(m_settings);
}

void ModelManager::settingsEdited()
{
    m_settings = {m_threadsSpin->value(), m_kvSpin->value(), m_contextSpin->value()};
    m_settings.save();
    emit engineSettingsChanged(m_settings);
}

const ModelInfo* ModelManager::currentModel() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid())
        return nullptr;
    return m_model->modelAt(m_proxy->mapToSource(current).row());
}

void ModelManager::rescan()
{
    m_scannedOnce = true;
    if (m_scanning) {
        m_rescanPending = true;
        m_scanner->cancel();
        return;
    }
    m_scanning = true;
    m_model->clear();
    m_progress->setRange(0, 0);
    m_progress->show();
    m_status->setText(tr("Searching for models…"));
    updateButtons();
    m_scanner->resetCancel();
    emit startScan(scanFolders());
}

void ModelManager::cancelScan()
{
    m_rescanPending = false;
    if (m_scanning)
        m_scanner->cancel();
}

void ModelManager::setLoadedModel(const QString& path)
{
    m_model->setLoadedPath(path);
    updateDetails();
    updateButtons();
}

void ModelManager::onProgress(int done, int total, const QString& current)
{
    if (!m_scanning)
        return;
    if (total < 0) {
        m_progress->setRange(0, 0);
        m_status->setText(tr("Searching… %1").arg(QDir::toNativeSeparators(current)));
        return;
    }
    m_progress->setRange(0, qMax(total, 1));
    m_progress->setValue(done);
    m_status->setText(tr("Reading %1 of %n file(s)…", nullptr, total).arg(done));
}

void ModelManager::onFinished(bool cancelled)
{
    m_scanning = false;
    m_progress->hide();
    int problems = 0;
    for (int row = 0; row < m_model->rowCount(); ++row)
        problems += m_model->modelAt(row)->ok() ? 0 : 1;
    QString text = cancelled ? tr("Scan cancelled: %n model(s) listed", nullptr, m_model->rowCount())
                             : tr("%n model(s) found", nullptr, m_model->rowCount());
    if (problems > 0)
        text += QStringLiteral(" · ") + tr("%n unreadable", nullptr, problems);
    m_status->setText(text);
    if (m_view->selectionModel()->currentIndex().isValid() == false && m_proxy->rowCount() > 0)
        m_view->selectRow(0);
    m_view->resizeColumnsToContents();
    updateButtons();
    emit scanFinished(cancelled);
    if (m_rescanPending) {
        m_rescanPending = false;
        rescan();
    }
}

void ModelManager::updateDetails()
{
    const ModelInfo* m = currentModel();
    const QLocale locale;
    QString values[DetailCount];
    if (m) {
        m_detailsBox->setTitle(m->name);
        values[PathDetail] = QDir::toNativeSeparators(m->path);
        values[ArchitectureDetail] = m->architecture;
        values[ParametersDetail] = m->ok() ? QStringLiteral("%1 (%2)").arg(formatParameters(m->parameters), locale.toString(m->parameters)) : QString();
        values[QuantisationDetail] = m->quantisation;
        values[ContextDetail] = m->contextLength > 0 ? tr("%1 tokens").arg(locale.toString(m->contextLength)) : QString();
        values[SizeDetail] = locale.formattedDataSize(m->sizeBytes);
        if (m->splitCount > 1)
            values[SizeDetail] += QStringLiteral(" · ") + tr("%n file(s)", nullptr, m->splitCount);
        values[TensorsDetail] = m->ok() ? locale.toString(m->tensorCount) : QString();
        values[ProblemDetail] = m->error;
    } else {
        m_detailsBox->setTitle(tr("No model selected"));
    }
    for (int i = 0; i < DetailCount; ++i) {
        m_detailValues[i]->setText(values[i]);
        // A file that did not read has only its path, size and problem.
        const bool visible = m && (i == PathDetail || !values[i].isEmpty());
        m_detailLabels[i]->setVisible(visible);
        m_detailValues[i]->setVisible(visible);
    }
}

void ModelManager::updateButtons()
{
    const ModelInfo* m = currentModel();
    m_loadButton->setEnabled(m && m->ok() && m->path != m_model->loadedPath());
    m_unloadButton->setEnabled(!m_model->loadedPath().isEmpty());
    m_cancelButton->setEnabled(m_scanning);
    m_removeFolderButton->setEnabled(m_folderList->currentRow() >= 0);
}

void ModelManager::addFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add Model Folder"), QDir::homePath());
    if (dir.isEmpty())
        return;
    setFolders(m_folders + QStringList{dir});
    rescan();
}

void ModelManager::removeFolder()
{
    const int row = m_folderList->currentRow();
    if (row < 0 || row >= m_folders.size())
        return;
    QStringList next = m_folders;
    next.removeAt(row);
    setFolders(next);
    rescan();
}

void ModelManager::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_scannedOnce)
        rescan();
}

void ModelManager::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ModelManager::retranslate()
{
    m_filter->setPlaceholderText(tr("Filter by name, architecture, quantisation…"));
    m_rescanButton->setText(tr("&Rescan"));
    m_rescanButton->setToolTip(tr("Search the model folders again"));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop the scan; models found so far stay listed"));
    m_detailLabels[PathDetail]->setText(tr("File:"));
    m_detailLabels[ArchitectureDetail]->setText(tr("Architecture:"));
    m_detailLabels[ParametersDetail]->setText(tr("Parameters:"));
    m_detailLabels[QuantisationDetail]->setText(tr("Quantisation:"));
    m_detailLabels[ContextDetail]->setText(tr("Context length:"));
    m_detailLabels[SizeDetail]->setText(tr("Size on disk:"));
    m_detailLabels[TensorsDetail]->setText(tr("Tensors:"));
    m_detailLabels[ProblemDetail]->setText(tr("Problem:"));
    m_loadButton->setText(tr("&Load"));
    m_unloadButton->setText(tr("&Unload"));
    m_foldersBox->setTitle(tr("Model folders"));
    m_addFolderButton->setText(tr("Add…"));
    m_removeFolderButton->setText(tr("Remove"));
    m_otherAppsCheck->setText(tr("Also search the folders of llama.cpp, Ollama, LM Studio and Hugging Face"));
    m_engineBox->setTitle(tr("Engine"));
    m_threadsLabel->setText(tr("Threads:"));
    m_threadsSpin->setSpecialValueText(tr("Automatic"));
    m_kvLabel->setText(tr("KV cache budget:"));
    m_contextLabel->setText(tr("Context length:"));
    m_contextSpin->setSpecialValueText(tr("Model default"));
    m_contextSpin->setSuffix(tr(" tokens"));
    // Column titles come from the model's headerData(); make views ask again.
    emit m_model->headerDataChanged(Qt::Horizontal, 0, ModelListModel::ColumnCount - 1);
    updateDetails();
}

} // namespace outpost::ui
