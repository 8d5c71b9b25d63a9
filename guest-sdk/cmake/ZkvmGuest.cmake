# Guest toolchain for zkvm: cross-compiles C/C++ guests to RV32IM ELFs with the
# distro's clang + lld, the SDK's start-up code and linker script, picolibc and
# the rv32im/ilp32 libgcc.a. Usable from the project and from a guest developer's
# own CMake project (include this file).
#
#   zkvm_add_guest(NAME <target> SOURCES a.c b.cpp ... [INCLUDES dirs...]
#                  [DEFINES X=1 ...] [DEPENDS files...] [OPT -O2])
#
# produces ${CMAKE_CURRENT_BINARY_DIR}/<target>.elf; the target's ELF property
# ZKVM_ELF holds the path.
include_guard(GLOBAL)

set(ZKVM_GUEST_SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." CACHE INTERNAL "")
find_program(ZKVM_GUEST_CLANG NAMES clang clang-14)
find_program(ZKVM_GUEST_LLD NAMES ld.lld ld.lld-14)
set(ZKVM_PICOLIBC_DIR "/usr/lib/picolibc/riscv64-unknown-elf" CACHE PATH "picolibc install for riscv")
file(GLOB ZKVM_LIBGCC_CANDIDATES "/usr/lib/gcc/riscv64-unknown-elf/*/rv32im/ilp32/libgcc.a")
list(SORT ZKVM_LIBGCC_CANDIDATES)
list(LENGTH ZKVM_LIBGCC_CANDIDATES _n)
if(_n GREATER 0)
  list(GET ZKVM_LIBGCC_CANDIDATES -1 ZKVM_LIBGCC)
endif()

if(ZKVM_GUEST_CLANG AND ZKVM_GUEST_LLD AND EXISTS "${ZKVM_PICOLIBC_DIR}/lib/rv32im/ilp32/libc.a" AND ZKVM_LIBGCC)
  set(ZKVM_GUEST_TOOLCHAIN_FOUND TRUE CACHE INTERNAL "")
else()
  set(ZKVM_GUEST_TOOLCHAIN_FOUND FALSE CACHE INTERNAL "")
  message(WARNING "zkvm guest toolchain incomplete (clang=${ZKVM_GUEST_CLANG} lld=${ZKVM_GUEST_LLD} "
                  "picolibc=${ZKVM_PICOLIBC_DIR} libgcc=${ZKVM_LIBGCC}); run tools/install-deps.sh")
endif()

set(ZKVM_GUEST_ARCH_FLAGS --target=riscv32-unknown-elf -march=rv32im -mabi=ilp32 -mno-relax)
set(ZKVM_GUEST_COMMON_FLAGS
  ${ZKVM_GUEST_ARCH_FLAGS} -ffunction-sections -fdata-sections -fno-common
  -ffreestanding -fno-builtin-printf -fno-stack-protector -g
  -Wall -Wextra
  -isystem "${ZKVM_PICOLIBC_DIR}/include"
  -I "${ZKVM_GUEST_SDK_DIR}/include")
set(ZKVM_GUEST_CXX_FLAGS -std=c++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics
  -nostdinc++ -isystem "${ZKVM_GUEST_SDK_DIR}/libcxx-config" -isystem /usr/lib/llvm-14/include/c++/v1
  -D_LIBCPP_HAS_NO_LIBRARY_ALIGNED_ALLOCATION)
set(ZKVM_GUEST_C_FLAGS -std=c11)

file(GLOB ZKVM_GUEST_RUNTIME_SOURCES CONFIGURE_DEPENDS
  "${ZKVM_GUEST_SDK_DIR}/runtime/*.c" "${ZKVM_GUEST_SDK_DIR}/runtime/*.cpp" "${ZKVM_GUEST_SDK_DIR}/runtime/*.S")
set(ZKVM_GUEST_LINKER_SCRIPT "${ZKVM_GUEST_SDK_DIR}/runtime/guest.ld" CACHE INTERNAL "")

function(zkvm_add_guest)
  cmake_parse_arguments(G "" "NAME;OPT" "SOURCES;INCLUDES;DEFINES;DEPENDS" ${ARGN})
  if(NOT G_NAME)
    message(FATAL_ERROR "zkvm_add_guest: NAME is required")
  endif()
  if(NOT ZKVM_GUEST_TOOLCHAIN_FOUND)
    message(STATUS "zkvm_add_guest(${G_NAME}): skipped, guest toolchain missing")
    return()
  endif()
  if(NOT G_OPT)
    set(G_OPT -O2)
  endif()
  set(objdir "${CMAKE_CURRENT_BINARY_DIR}/${G_NAME}.guest-obj")
  set(extra)
  foreach(inc IN LISTS G_INCLUDES)
    get_filename_component(inc "${inc}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND extra -I "${inc}")
  endforeach()
  foreach(def IN LISTS G_DEFINES)
    list(APPEND extra "-D${def}")
  endforeach()
  set(objs)
  set(i 0)
  foreach(src IN LISTS G_SOURCES ZKVM_GUEST_RUNTIME_SOURCES)
    get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(base "${src}" NAME)
    set(obj "${objdir}/${i}_${base}.o")
    math(EXPR i "${i} + 1")
    if(src MATCHES "\\.(cpp|cc|cxx)$")
      set(langflags ${ZKVM_GUEST_CXX_FLAGS})
    elseif(src MATCHES "\\.c$")
      set(langflags ${ZKVM_GUEST_C_FLAGS})
    else()
      set(langflags)
    endif()
    add_custom_command(OUTPUT "${obj}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${objdir}"
      COMMAND "${ZKVM_GUEST_CLANG}" ${ZKVM_GUEST_COMMON_FLAGS} ${G_OPT} ${langflags} ${extra}
              -MD -MF "${obj}.d" -c "${src}" -o "${obj}"
      DEPENDS "${src}" ${G_DEPENDS}
      DEPFILE "${obj}.d"
      COMMENT "guest ${G_NAME}: ${base}"
      VERBATIM COMMAND_EXPAND_LISTS)
    list(APPEND objs "${obj}")
  endforeach()
  set(elf "${CMAKE_CURRENT_BINARY_DIR}/${G_NAME}.elf")
  add_custom_command(OUTPUT "${elf}"
    COMMAND "${ZKVM_GUEST_LLD}" -T "${ZKVM_GUEST_LINKER_SCRIPT}" --gc-sections -static
            ${objs} --start-group
            "${ZKVM_PICOLIBC_DIR}/lib/rv32im/ilp32/libc.a"
            "${ZKVM_PICOLIBC_DIR}/lib/rv32im/ilp32/libm.a"
            "${ZKVM_LIBGCC}" --end-group -o "${elf}"
    DEPENDS ${objs} "${ZKVM_GUEST_LINKER_SCRIPT}"
    COMMENT "guest ${G_NAME}: link ${G_NAME}.elf"
    VERBATIM)
  add_custom_target(${G_NAME} ALL DEPENDS "${elf}")
  set_target_properties(${G_NAME} PROPERTIES ZKVM_ELF "${elf}")
endfunction()
