// Device discovery: the CPU is always listed with what it can do, and a
// binary built with CUDA still starts and answers where there is no GPU.
#include "inference/backend/cpu/cpu_features.h"
#include "inference/backend/device.h"

#include <QtTest>

using namespace outpost::inference;

class TestDevices : public QObject {
    Q_OBJECT

private slots:
    void cpuIsAlwaysListed()
    {
        const DeviceReport report = listDevices();
        QVERIFY(!report.devices.empty());
        const DeviceInfo& cpu = report.devices.front();
        QCOMPARE(cpu.backend, std::string("cpu"));
        QVERIFY(cpu.memoryBytes > 0);
        QVERIFY(cpu.details.find("threads") != std::string::npos);
    }

    void cpuFeaturesAreConsistent()
    {
        const auto& f = cpu::cpuFeatures();
        QVERIFY(f.logicalCores >= 1);
#if defined(__x86_64__)
        // Every x86-64 CPU that can run this build has SSE2; the feature
        // ladder implies its lower rungs.
        if (f.avx2)
            QVERIFY(f.avx);
        if (f.avx512bw || f.avx512vl || f.avx512vnni)
            QVERIFY(f.avx512f);
        QCOMPARE(f.summary().find("AVX512") != std::string::npos, f.avx512f);
#endif
    }

    void cudaAnswersWithoutAGpu()
    {
        const DeviceReport report = listDevices();
        std::size_t gpus = 0;
        for (const auto& d : report.devices)
            gpus += d.backend == "cuda" ? 1 : 0;
        // Either GPUs are listed, or a note says why there are none.
        if (gpus == 0) {
            bool explained = false;
            for (const auto& n : report.notes)
                explained = explained || n.rfind("cuda:", 0) == 0;
            QVERIFY(explained);
        }
#if defined(OUTPOST_HAVE_CUDA)
        const bool built = true;
#else
        const bool built = false;
#endif
        QCOMPARE(cudaBackendBuilt(), built);
    }
};

QTEST_GUILESS_MAIN(TestDevices)
#include "test_devices.moc"
