#include "inference/backend/cuda/cuda_devices.h"

#include <cuda_runtime.h>

namespace outpost::inference::cuda {

std::vector<DeviceInfo> listCudaDevices(std::string* why)
{
    std::vector<DeviceInfo> out;
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        if (why)
            *why = cudaGetErrorString(err);
        return out;
    }
    if (count == 0 && why)
        *why = "no CUDA device";
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp prop{};
        if (cudaGetDeviceProperties(&prop, i) != cudaSuccess)
            continue;
        DeviceInfo d;
        d.backend = "cuda";
        d.index = i;
        d.name = prop.name;
        d.memoryBytes = prop.totalGlobalMem;
        d.details = "compute capability " + std::to_string(prop.major) + "." + std::to_string(prop.minor) + "; "
            + std::to_string(prop.multiProcessorCount) + " SMs";
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace outpost::inference::cuda
