#include "inference/backend/device.h"

#include "inference/backend/cpu/cpu_features.h"

#include <fstream>
#include <unistd.h>

#if defined(OUTPOST_HAVE_CUDA)
#include "inference/backend/cuda/cuda_devices.h"
#endif

namespace outpost::inference {

namespace {

std::uint64_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0)
        return 0;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

} // namespace

bool cudaBackendBuilt()
{
#if defined(OUTPOST_HAVE_CUDA)
    return true;
#else
    return false;
#endif
}

DeviceReport listDevices()
{
    DeviceReport report;
    const auto& cpu = cpu::cpuFeatures();
    DeviceInfo host;
    host.backend = "cpu";
    host.index = 0;
    host.name = cpu.brand.empty() ? std::string("CPU") : cpu.brand;
    host.memoryBytes = physicalMemoryBytes();
    host.details = std::to_string(cpu.logicalCores) + " threads; " + cpu.summary();
    report.devices.push_back(std::move(host));

#if defined(OUTPOST_HAVE_CUDA)
    std::string why;
    auto gpus = cuda::listCudaDevices(&why);
    for (auto& gpu : gpus)
        report.devices.push_back(std::move(gpu));
    if (gpus.empty())
        report.notes.push_back("cuda: " + (why.empty() ? std::string("no CUDA device") : why));
#else
    report.notes.emplace_back("cuda: this build has no CUDA backend (configure with OUTPOST_CUDA=ON)");
#endif
    return report;
}

} // namespace outpost::inference
