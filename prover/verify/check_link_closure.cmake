# cmake -DCLOSURE=a,b,c -P check_link_closure.cmake
# Allowed: zkvm_*_verify libraries, header-only zkvm_matrix, the warnings
# interface, the verifier itself, the RV32IM AIR's verifier side
# (zkvm_rv32im_air: constraints and receipt checks, no emulator, no OpenMP)
# and OpenSSL's crypto library.
string(REPLACE "," ";" items "${CLOSURE}")
set(bad)
foreach(i IN LISTS items)
  if(i MATCHES "^zkvm_[a-z0-9_]+_verify$" OR i STREQUAL "zkvm_verifier" OR i STREQUAL "zkvm_matrix"
     OR i STREQUAL "zkvm_warnings" OR i STREQUAL "zkvm_rv32im_air" OR i STREQUAL "OpenSSL::Crypto")
    continue()
  endif()
  list(APPEND bad ${i})
endforeach()
if(bad)
  message(FATAL_ERROR "zkvm_verifier links more than OpenSSL: ${bad} (closure: ${CLOSURE})")
endif()
message(STATUS "zkvm_verifier link closure: ${CLOSURE}")
