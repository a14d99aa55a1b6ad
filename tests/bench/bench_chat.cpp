// The Chat panel with 5,000 messages in its history (offscreen): how long
// loading them into the view takes (to the first painted frame), appending
// a streamed token to the last message (re-layout and repaint of that
// message, as each ~30 ms repaint does), scrolling to the top and back to
// the bottom, and a width change. Prints the figures; no pass/fail.
//   bench_chat [MESSAGES]   (default 5000)
#include "ui/chat/chat_delegate.h"
#include "ui/chat/chat_message_model.h"
#include "ui/chat/chat_panel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace outpost;
using OJson = nlohmann::ordered_json;

namespace {

std::string idOf(char prefix, int i)
{
    std::string out(1, prefix);
    out += std::to_string(i);
    return out;
}

OJson message(int i)
{
    // Varied Markdown: paragraphs, a list, code, and now and then a tool call.
    std::string text;
    if (i % 2 == 0) {
        text = "Question ";
        text += std::to_string(i);
        text += ": how does the **scheduler** pick the next batch?";
    } else {
        // Appended piece by piece: GCC 12 warns (falsely) on a long chain of operator+.
        text = "Answer ";
        text += std::to_string(i);
        text += ". The scheduler keeps a queue of *waiting* sequences and:\n\n"
                "- admits prefills while KV blocks are free,\n- decodes every running sequence each step,\n"
                "- preempts the newest when the pool runs dry.\n\n```cpp\nstep(plan);\n```\n\n";
        text.append(std::size_t(80 + (i * 37) % 400), 'x');
    }
    OJson parts = OJson::array({OJson{{"type", "text"}, {"text", text}}});
    if (i % 50 == 1)
        parts.push_back({{"type", "tool-clock"}, {"toolCallId", idOf('c', i)}, {"toolName", "clock"}, {"state", "output-available"},
                         {"input", OJson::object()}, {"output", {{"iso", "2025-01-01T00:00:00Z"}}}});
    OJson m = {{"id", idOf('m', i)}, {"role", i % 2 == 0 ? "user" : "assistant"}, {"parts", parts}};
    if (i % 2 == 1)
        m["metadata"] = {{"finishReason", "stop"}, {"ttftMs", 120}, {"completionTokens", 64}, {"tokensPerSecond", 41.5}};
    return m;
}

double ms(const QElapsedTimer& t) { return double(t.nsecsElapsed()) / 1e6; }

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int count = argc > 1 ? std::max(2, atoi(argv[1])) : 5000;

    OJson history = OJson::array();
    for (int i = 0; i < count; ++i)
        history.push_back(message(i));

    ui::ChatPanel panel;
    panel.resize(900, 700);
    panel.show();
    QApplication::processEvents();
    QListView* view = panel.view();
    ui::ChatMessageModel* model = panel.model();

    QElapsedTimer t;
    t.start();
    model->setMessages(history);
    view->doItemsLayout();
    view->scrollToBottom();
    view->viewport()->repaint();
    QApplication::processEvents();
    const double load = ms(t);
    const int exactAfterLoad = panel.delegate()->exactLayouts();

    // A streamed reply: one token at a time, each followed by the repaint
    // the model's 30 ms timer would trigger (the worst case: every token).
    model->append({{"id", "live"}, {"role", "assistant"}, {"parts", OJson::array({OJson{{"type", "text"}, {"text", ""}, {"state", "streaming"}}})}});
    model->edit(model->rowCount() - 1).streaming = true;
    view->scrollToBottom();
    QApplication::processEvents();
    const int tokens = 300;
    std::vector<double> per;
    per.reserve(tokens);
    for (int i = 0; i < tokens; ++i) {
        t.restart();
        const int row = model->rowCount() - 1;
        OJson& part = model->edit(row).ui["parts"][0];
        part["text"] = part["text"].get<std::string>() + (i % 12 == 11 ? " word\n\n" : " word");
        model->noteChanged(row);
        model->flush();
        view->scrollToBottom();
        view->viewport()->repaint();
        QApplication::processEvents();
        per.push_back(ms(t));
    }
    std::sort(per.begin(), per.end());
    double sum = 0;
    for (double v : per)
        sum += v;

    t.restart();
    view->scrollToTop();
    view->viewport()->repaint();
    QApplication::processEvents();
    const double top = ms(t);
    t.restart();
    view->scrollToBottom();
    view->viewport()->repaint();
    QApplication::processEvents();
    const double bottom = ms(t);
    t.restart();
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum() / 2);
    view->viewport()->repaint();
    QApplication::processEvents();
    const double middle = ms(t);
    t.restart();
    panel.resize(700, 700);
    QApplication::processEvents();
    view->viewport()->repaint();
    QApplication::processEvents();
    const double resize = ms(t);

    std::printf("bench_chat: %d messages in the history (offscreen, 900x700)\n", count);
    std::printf("  load into the view, to the first painted frame: %8.1f ms (%d messages laid out exactly, the rest estimated)\n", load, exactAfterLoad);
    std::printf("  append a streamed token + repaint (%d tokens): mean %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms\n", tokens,
                sum / tokens, per[per.size() / 2], per[per.size() * 95 / 100], per.back());
    std::printf("  scroll to top: %.1f ms, to bottom: %.1f ms, to the middle: %.1f ms\n", top, bottom, middle);
    std::printf("  width change (900 -> 700 px), relayout and repaint: %.1f ms\n", resize);
    std::printf("  exact layouts made in all: %d\n", panel.delegate()->exactLayouts());
    return 0;
}
