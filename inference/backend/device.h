#pragma once
// The compute devices this build can run the engine on. The CPU is always
// there; CUDA devices appear only when the CUDA backend was built and a
// driver and GPU are present at run time.
#include <cstdint>
#include <string>
#include <vector>

namespace outpost::inference {

struct DeviceInfo {
    std::string backend;        // "cpu" or "cuda"
    int index = 0;              // ordinal within the backend
    std::string name;           // e.g. "AMD EPYC 9R45" or "NVIDIA H100 80GB HBM3"
    std::uint64_t memoryBytes = 0;
    std::string details;        // ISA extensions, compute capability, ...
};

struct DeviceReport {
    std::vector<DeviceInfo> devices;
    // Why a backend that was built shows no device (no driver, no GPU, ...).
    // Empty when every built backend answered.
    std::vector<std::string> notes;
};

// Lists the CPU and every usable GPU. Never throws, never needs a GPU.
DeviceReport listDevices();

// True when this binary contains the CUDA backend (independent of hardware).
bool cudaBackendBuilt();

} // namespace outpost::inference
