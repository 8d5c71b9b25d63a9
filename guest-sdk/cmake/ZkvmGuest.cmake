# Guest toolchain for zkvm: cross-compiles C and C++20 guests to RV32IM ELFs
# with the distro's clang + lld, the SDK's start-up code and linker script,
# picolibc, libgcc (rv32im/ilp32) and the libc++ 14 headers (header-only).
#
# In this project it is included by the top-level CMakeLists.txt. From a guest
# developer's own CMake project (docs/GUEST_SDK.md "Out of tree"):
#
#   cmake_minimum_required(VERSION 3.20)
#   project(myguest NONE)
#   include(/path/to/zkvm/guest-sdk/cmake/ZkvmGuest.cmake)
#   zkvm_add_guest(NAME myguest SOURCES main.cpp)
#
#   zkvm_add_guest(NAME <target> SOURCES a.c b.cpp c.S ...
#                  [INCLUDES dirs...] [DEFINES X=1 ...] [DEPENDS files...]
#                  [OPT flags...] [STACK_SIZE bytes])
#
# produces ${CMAKE_CURRENT_BINARY_DIR}/<target>.elf (built by default); the
# target's ZKVM_ELF property holds that path. Each source gets a depfile, so
# header edits rebuild exactly the objects that include them. The SDK runtime
# is compiled once per build tree into libzkvm_guest_rt.a.
include_guard(GLOBAL)
cmake_minimum_required(VERSION 3.20)  # DEPFILE for all generators

get_filename_component(ZKVM_GUEST_SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(ZKVM_GUEST_SDK_DIR "${ZKVM_GUEST_SDK_DIR}" CACHE INTERNAL "")
find_program(ZKVM_GUEST_CLANG NAMES clang clang-14)
find_program(ZKVM_GUEST_LLD NAMES ld.lld ld.lld-14)
find_program(ZKVM_GUEST_AR NAMES llvm-ar llvm-ar-14)
set(ZKVM_PICOLIBC_DIR "/usr/lib/picolibc/riscv64-unknown-elf" CACHE PATH "picolibc install for riscv")
set(ZKVM_LIBCXX_INCLUDE_DIR "/usr/lib/llvm-14/include/c++/v1" CACHE PATH "libc++ 14 headers")
file(GLOB ZKVM_LIBGCC_CANDIDATES "/usr/lib/gcc/riscv64-unknown-elf/*/rv32im/ilp32/libgcc.a")
list(SORT ZKVM_LIBGCC_CANDIDATES)
list(LENGTH ZKVM_LIBGCC_CANDIDATES _zkvm_n)
if(_zkvm_n GREATER 0)
  list(GET ZKVM_LIBGCC_CANDIDATES -1 ZKVM_LIBGCC)
endif()

if(DEFINED ZKVM_BUILD_GUESTS AND NOT ZKVM_BUILD_GUESTS)
  # The project's -DZKVM_BUILD_GUESTS=OFF: every zkvm_add_guest is skipped.
  set(ZKVM_GUEST_TOOLCHAIN_FOUND FALSE CACHE INTERNAL "")
  message(STATUS "zkvm guests disabled (ZKVM_BUILD_GUESTS=OFF)")
elseif(ZKVM_GUEST_CLANG AND ZKVM_GUEST_LLD AND ZKVM_GUEST_AR AND ZKVM_LIBGCC
   AND EXISTS "${ZKVM_PICOLIBC_DIR}/lib/rv32im/ilp32/libc.a"
   AND EXISTS "${ZKVM_LIBCXX_INCLUDE_DIR}/vector")
  set(ZKVM_GUEST_TOOLCHAIN_FOUND TRUE CACHE INTERNAL "")
else()
  set(ZKVM_GUEST_TOOLCHAIN_FOUND FALSE CACHE INTERNAL "")
  message(WARNING "zkvm guest toolchain incomplete (clang=${ZKVM_GUEST_CLANG} lld=${ZKVM_GUEST_LLD} "
                  "llvm-ar=${ZKVM_GUEST_AR} picolibc=${ZKVM_PICOLIBC_DIR} libgcc=${ZKVM_LIBGCC} "
                  "libc++=${ZKVM_LIBCXX_INCLUDE_DIR}); run tools/install-deps.sh")
endif()

set(ZKVM_GUEST_ARCH_FLAGS --target=riscv32-unknown-elf -march=rv32im -mabi=ilp32 -mno-relax)
set(ZKVM_GUEST_COMMON_FLAGS
  ${ZKVM_GUEST_ARCH_FLAGS} -ffunction-sections -fdata-sections -fno-common
  -fno-stack-protector -g -Wall -Wextra -Wshadow
  # POSIX declarations (posix_memalign for libc++'s aligned new, strdup, ...)
  # even under strict -std=c11/c++20.
  -D_DEFAULT_SOURCE
  -I "${ZKVM_GUEST_SDK_DIR}/include")
# Include order matters for C++: libcxx-config first (its __config_site
# replaces the host's), then libc++ (its <math.h>, <stdlib.h> wrap the C
# headers), then picolibc.
set(ZKVM_GUEST_CXX_FLAGS -std=c++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics
  -nostdinc++ -isystem "${ZKVM_GUEST_SDK_DIR}/libcxx-config" -isystem "${ZKVM_LIBCXX_INCLUDE_DIR}"
  -isystem "${ZKVM_PICOLIBC_DIR}/include")
set(ZKVM_GUEST_C_FLAGS -std=c11 -isystem "${ZKVM_PICOLIBC_DIR}/include")
set(ZKVM_GUEST_ASM_FLAGS -isystem "${ZKVM_PICOLIBC_DIR}/include")
set(ZKVM_GUEST_LINKER_SCRIPT "${ZKVM_GUEST_SDK_DIR}/runtime/guest.ld" CACHE INTERNAL "")

# _zkvm_guest_compile(<out-var> <src> <obj> <extra flags...>): adds the rule
# compiling one guest source; its language comes from the extension. The
# caller's _zkvm_opt (optimisation flags) and _zkvm_extra_deps apply.
function(_zkvm_guest_compile out src obj)
  if(src MATCHES "\\.(cpp|cc|cxx|C)$")
    set(langflags ${ZKVM_GUEST_CXX_FLAGS})
  elseif(src MATCHES "\\.c$")
    set(langflags ${ZKVM_GUEST_C_FLAGS})
  elseif(src MATCHES "\\.[sS]$")
    set(langflags ${ZKVM_GUEST_ASM_FLAGS})
  else()
    message(FATAL_ERROR "zkvm_add_guest: ${src}: unknown source language (want .c, .cpp, .cc, .cxx, .S, .s)")
  endif()
  get_filename_component(objdir "${obj}" DIRECTORY)
  get_filename_component(base "${src}" NAME)
  add_custom_command(OUTPUT "${obj}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${objdir}"
    COMMAND "${ZKVM_GUEST_CLANG}" ${ZKVM_GUEST_COMMON_FLAGS} ${_zkvm_opt} ${langflags} ${ARGN}
            -MD -MF "${obj}.d" -c "${src}" -o "${obj}"
    DEPENDS "${src}" ${_zkvm_extra_deps}
    DEPFILE "${obj}.d"
    COMMENT "guest: compile ${base}"
    VERBATIM COMMAND_EXPAND_LISTS)
  set(${out} "${obj}" PARENT_SCOPE)
endfunction()

# The runtime (crt0 + libzkvm_guest_rt.a), built once per build tree.
if(ZKVM_GUEST_TOOLCHAIN_FOUND AND NOT TARGET zkvm_guest_runtime)
  set(_rtdir "${CMAKE_BINARY_DIR}/zkvm-guest-runtime")
  file(GLOB _rt_sources CONFIGURE_DEPENDS
    "${ZKVM_GUEST_SDK_DIR}/runtime/*.c" "${ZKVM_GUEST_SDK_DIR}/runtime/*.cpp")
  set(_rt_objs)
  set(_zkvm_opt -O2)
  set(_zkvm_extra_deps)
  foreach(src IN LISTS _rt_sources)
    get_filename_component(base "${src}" NAME)
    _zkvm_guest_compile(obj "${src}" "${_rtdir}/${base}.o")
    list(APPEND _rt_objs "${obj}")
  endforeach()
  _zkvm_guest_compile(_crt0 "${ZKVM_GUEST_SDK_DIR}/runtime/crt0.S" "${_rtdir}/crt0.o")
  set(ZKVM_GUEST_RT_LIB "${_rtdir}/libzkvm_guest_rt.a" CACHE INTERNAL "")
  set(ZKVM_GUEST_CRT0 "${_crt0}" CACHE INTERNAL "")
  add_custom_command(OUTPUT "${ZKVM_GUEST_RT_LIB}"
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${ZKVM_GUEST_RT_LIB}"
    COMMAND "${ZKVM_GUEST_AR}" rcs "${ZKVM_GUEST_RT_LIB}" ${_rt_objs}
    DEPENDS ${_rt_objs}
    COMMENT "guest: archive libzkvm_guest_rt.a"
    VERBATIM)
  add_custom_target(zkvm_guest_runtime DEPENDS "${ZKVM_GUEST_RT_LIB}" "${ZKVM_GUEST_CRT0}")
endif()

function(zkvm_add_guest)
  cmake_parse_arguments(G "" "NAME;STACK_SIZE" "SOURCES;INCLUDES;DEFINES;DEPENDS;OPT" ${ARGN})
  if(NOT G_NAME)
    message(FATAL_ERROR "zkvm_add_guest: NAME is required")
  endif()
  if(NOT G_SOURCES)
    message(FATAL_ERROR "zkvm_add_guest(${G_NAME}): SOURCES is required")
  endif()
  if(NOT ZKVM_GUEST_TOOLCHAIN_FOUND)
    message(STATUS "zkvm_add_guest(${G_NAME}): skipped (guests disabled or guest toolchain missing)")
    return()
  endif()
  # OPT is a list so several flags can be given (OPT -O3 -fno-unroll-loops).
  if(G_OPT)
    set(_zkvm_opt ${G_OPT})
  else()
    set(_zkvm_opt -O2)
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
  # Extra DEPENDS (generated headers, data) apply to every object.
  set(_zkvm_extra_deps ${G_DEPENDS})
  foreach(src IN LISTS G_SOURCES)
    get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${src}")
      message(FATAL_ERROR "zkvm_add_guest(${G_NAME}): source ${src} does not exist")
    endif()
    get_filename_component(base "${src}" NAME)
    # The index keeps two sources with the same file name apart.
    _zkvm_guest_compile(obj "${src}" "${objdir}/${i}_${base}.o" ${extra})
    math(EXPR i "${i} + 1")
    list(APPEND objs "${obj}")
  endforeach()
  set(linkflags)
  if(G_STACK_SIZE)
    if(NOT G_STACK_SIZE MATCHES "^([0-9]+|0x[0-9a-fA-F]+)$")
      message(FATAL_ERROR "zkvm_add_guest(${G_NAME}): STACK_SIZE '${G_STACK_SIZE}' is not a byte count")
    endif()
    list(APPEND linkflags "--defsym=__zkvm_stack_size=${G_STACK_SIZE}")
  endif()
  set(elf "${CMAKE_CURRENT_BINARY_DIR}/${G_NAME}.elf")
  add_custom_command(OUTPUT "${elf}"
    COMMAND "${ZKVM_GUEST_LLD}" -T "${ZKVM_GUEST_LINKER_SCRIPT}" --gc-sections -static
            ${linkflags} "${ZKVM_GUEST_CRT0}" ${objs}
            "${ZKVM_GUEST_RT_LIB}"
            "${ZKVM_PICOLIBC_DIR}/lib/rv32im/ilp32/libc.a"
            "${ZKVM_PICOLIBC_DIR}/lib/rv32im/ilp32/libm.a"
            "${ZKVM_LIBGCC}"
            -o "${elf}"
    DEPENDS ${objs} "${ZKVM_GUEST_LINKER_SCRIPT}" "${ZKVM_GUEST_RT_LIB}" "${ZKVM_GUEST_CRT0}" ${G_DEPENDS}
    COMMENT "guest ${G_NAME}: link ${G_NAME}.elf"
    VERBATIM COMMAND_EXPAND_LISTS)
  add_custom_target(${G_NAME} ALL DEPENDS "${elf}")
  add_dependencies(${G_NAME} zkvm_guest_runtime)
  set_target_properties(${G_NAME} PROPERTIES ZKVM_ELF "${elf}")
endfunction()
