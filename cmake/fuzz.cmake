# libFuzzer targets for the `fuzz` preset (clang only). ASan + UBSan catch what the fuzzer finds.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "PINTO_FUZZ needs clang (use the `fuzz` preset)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)

function(pinto_add_fuzzer name source)
  add_executable(${name} ${source})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE pinto_bgp_wire pinto_warnings)
endfunction()
