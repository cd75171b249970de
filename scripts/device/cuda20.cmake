# CMake older than 3.28 does not know nvcc 12+ accepts -std=c++20; tell it (loaded through
# CMAKE_USER_MAKE_RULES_OVERRIDE_CUDA by scripts/device/run.sh).
if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()
