# ctest driver: configure and build tests/sdk/oot-project as a separate CMake
# project, then run its guest under qemu-riscv32 and check the output.
#   cmake -DSDK_DIR=... -DSRC=... -DBIN=... -DQEMU=... -DGENERATOR=... -P run_oot.cmake
file(REMOVE_RECURSE "${BIN}")
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SRC}" -B "${BIN}" -G "${GENERATOR}" "-DZKVM_SDK_DIR=${SDK_DIR}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "out-of-tree configure failed:\n${out}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BIN}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "out-of-tree build failed:\n${out}")
endif()
execute_process(COMMAND "${QEMU}" "${BIN}/oot_guest.elf" INPUT_FILE /dev/null
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "hi from oot: 18\n")
  message(FATAL_ERROR "oot_guest.elf: exit ${rc}, stdout [${out}], stderr [${err}]; want exit 0, \"hi from oot: 18\"")
endif()
file(REMOVE_RECURSE "${BIN}")
message(STATUS "out-of-tree guest project builds and runs")
