# OUTPOST_CUDA=AUTO|ON|OFF decides whether inference/backend/cuda is built.
# AUTO enables it when a CUDA compiler is found. Binaries never need a GPU
# (or even a driver) to start: the CUDA runtime is linked statically and the
# backend reports "no device" when cudaGetDeviceCount fails.
set(OUTPOST_HAVE_CUDA OFF)
if(OUTPOST_CUDA STREQUAL "OFF")
    message(STATUS "Outpost: CUDA backend disabled (OUTPOST_CUDA=OFF)")
else()
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
        if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
            # sm_75 (Turing) and newer; real code for each, PTX for the newest so
            # future GPUs can JIT it. "native" would fail on machines with no GPU.
            set(CMAKE_CUDA_ARCHITECTURES "75-real;80-real;86-real;89-real;90a-real;120")
        endif()
        enable_language(CUDA)
        find_package(CUDAToolkit REQUIRED)
        # CMake 3.25 does not know nvcc 13's C++20 flag; device code needs only C++17.
        set(CMAKE_CUDA_STANDARD 17)
        set(CMAKE_CUDA_STANDARD_REQUIRED ON)
        set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
        set(OUTPOST_HAVE_CUDA ON)
        message(STATUS "Outpost: CUDA backend enabled (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, archs ${CMAKE_CUDA_ARCHITECTURES})")
    elseif(OUTPOST_CUDA STREQUAL "ON")
        message(FATAL_ERROR "OUTPOST_CUDA=ON but no CUDA compiler was found (install the CUDA Toolkit or set CMAKE_CUDA_COMPILER)")
    else()
        message(STATUS "Outpost: no CUDA compiler found; building the CPU backend only")
    endif()
endif()
