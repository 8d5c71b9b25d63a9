# `cmake --install build --prefix P` (docs/INSTALL.md): the zkvm CLI, the
# guest SDK (ZkvmGuest.cmake, runtime, headers, ML runtime), the verifier
# library with its C header, a CMake package (find_package(zkvm) gives
# zkvm::verifier and zkvm_add_guest) and a pkg-config file (zkvm-verifier).
#
# The verifier is installed as one static archive, libzkvm_verifier.a, that
# bundles the objects of its whole link closure (the same closure the test
# "verifier links only OpenSSL" checks), so a consumer links one library and
# OpenSSL's libcrypto and the C++ runtime, nothing else.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ZKVM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/zkvm")
set(ZKVM_INSTALL_SDKDIR "${CMAKE_INSTALL_DATADIR}/zkvm/guest-sdk")

if(TARGET zkvm)
  install(TARGETS zkvm RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Guest SDK: the tree ZkvmGuest.cmake expects next to itself.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/guest-sdk/cmake ${PROJECT_SOURCE_DIR}/guest-sdk/include
                  ${PROJECT_SOURCE_DIR}/guest-sdk/libcxx-config ${PROJECT_SOURCE_DIR}/guest-sdk/runtime
        DESTINATION ${ZKVM_INSTALL_SDKDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/guest-sdk/ml/include ${PROJECT_SOURCE_DIR}/guest-sdk/ml/src
        DESTINATION ${ZKVM_INSTALL_SDKDIR}/ml)

# The bundled verifier archive, made once every target of the closure exists.
function(_zkvm_install_verifier)
  if(NOT TARGET zkvm_verifier)
    return()
  endif()
  zkvm_link_closure(zkvm_verifier closure)
  set(mri "create ${CMAKE_BINARY_DIR}/zkvm-install/libzkvm_verifier.a\n")
  foreach(t IN LISTS closure)
    if(TARGET ${t})
      get_target_property(type ${t} TYPE)
      if(type STREQUAL "STATIC_LIBRARY")
        string(APPEND mri "addlib $<TARGET_FILE:${t}>\n")
        list(APPEND archives ${t})
      endif()
    endif()
  endforeach()
  string(APPEND mri "save\nend\n")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/zkvm-install/verifier.mri CONTENT "${mri}")
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/zkvm-install/libzkvm_verifier.a
    COMMAND ${CMAKE_COMMAND} -E rm -f ${CMAKE_BINARY_DIR}/zkvm-install/libzkvm_verifier.a
    COMMAND sh -c "'${CMAKE_AR}' -M < '${CMAKE_BINARY_DIR}/zkvm-install/verifier.mri'"
    DEPENDS ${archives} ${CMAKE_BINARY_DIR}/zkvm-install/verifier.mri
    COMMENT "bundle libzkvm_verifier.a for installation"
    VERBATIM)
  add_custom_target(zkvm_verifier_bundle ALL DEPENDS ${CMAKE_BINARY_DIR}/zkvm-install/libzkvm_verifier.a)
  install(FILES ${CMAKE_BINARY_DIR}/zkvm-install/libzkvm_verifier.a DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/prover/verify/include/zkvm/verifier.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/zkvm)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL _zkvm_install_verifier)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zkvmConfig.cmake.in
  ${CMAKE_BINARY_DIR}/zkvm-install/zkvmConfig.cmake
  INSTALL_DESTINATION ${ZKVM_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR ZKVM_INSTALL_SDKDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/zkvm-install/zkvmConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/zkvm-install/zkvmConfig.cmake
              ${CMAKE_BINARY_DIR}/zkvm-install/zkvmConfigVersion.cmake
        DESTINATION ${ZKVM_INSTALL_CMAKEDIR})

# pkg-config: the prefix is computed from the .pc file's own location, so
# the installed tree can be moved.
file(WRITE ${CMAKE_BINARY_DIR}/zkvm-install/zkvm-verifier.pc
"prefix=\${pcfiledir}/../..
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}

Name: zkvm-verifier
Description: zkvm receipt and proof verifier (C API, zkvm/verifier.h)
Version: ${PROJECT_VERSION}
Requires: libcrypto
Cflags: -I\${includedir}
Libs: -L\${libdir} -lzkvm_verifier -lstdc++ -lm
")
install(FILES ${CMAKE_BINARY_DIR}/zkvm-install/zkvm-verifier.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
