// The CUDA backend on a real GPU. Skipped (exit 77) where the backend is not
// built or no GPU and driver are present.
#include "inference/backend/device.h"

#include <cstdio>

int main()
{
    using namespace outpost::inference;
    if (!cudaBackendBuilt()) {
        std::printf("SKIP: this build has no CUDA backend (OUTPOST_CUDA=OFF or no nvcc)\n");
        return 77;
    }
    const DeviceReport report = listDevices();
    int gpus = 0;
    for (const auto& d : report.devices) {
        if (d.backend != "cuda")
            continue;
        ++gpus;
        std::printf("cuda:%d %s, %llu MiB, %s\n", d.index, d.name.c_str(),
                    static_cast<unsigned long long>(d.memoryBytes >> 20), d.details.c_str());
        if (d.name.empty() || d.memoryBytes == 0) {
            std::printf("FAIL: device %d reports no name or no memory\n", d.index);
            return 1;
        }
    }
    if (gpus == 0) {
        for (const auto& n : report.notes)
            std::printf("SKIP: no usable GPU (%s)\n", n.c_str());
        return 77;
    }
    std::printf("PASS: %d CUDA device(s)\n", gpus);
    return 0;
}
