#pragma once
// CUDA device discovery. Compiled only when the CUDA backend is built.
#include "inference/backend/device.h"

#include <string>
#include <vector>

namespace outpost::inference::cuda {

// Every CUDA device the runtime can see. When there is none (no driver, no
// GPU, a driver too old for this runtime), returns an empty list and, if
// `why` is given, the runtime's reason in words.
std::vector<DeviceInfo> listCudaDevices(std::string* why);

} // namespace outpost::inference::cuda
