# Where pintod's functions sit in its executable. The kernel maps an executable's pages 64 KiB
# (fault-around) or a page-cache folio at a time, so a function run once at start-up keeps its
# neighbours resident too; with gRPC, protobuf and OpenSSL inside, the code pintod runs is spread
# over 13 MB of text. lld's --symbol-ordering-file places the functions named in
# daemon/pintod.order (those a start-up and a route-reflection run executed, recorded by
# scripts/order-functions.sh) side by side, which halves pintod's resident code. A name the file
# lists that no longer exists is skipped; a new function goes where the linker would put it
# anyway, so a stale file costs memory, never correctness.
option(PINTO_ORDER_FUNCTIONS "Link pintod with lld, the functions it runs placed together" ON)

if(PINTO_ORDER_FUNCTIONS)
  find_program(PINTO_LLD ld.lld)
  if(NOT PINTO_LLD)
    message(FATAL_ERROR "PINTO_ORDER_FUNCTIONS needs lld (apt-get install lld), "
                        "or configure with -DPINTO_ORDER_FUNCTIONS=OFF")
  endif()
  # Each of our functions in a section of its own, so that it can be placed alone.
  add_compile_options(-ffunction-sections)
  # lld links everything: with the static archives it is several times faster than ld.bfd.
  add_link_options(-fuse-ld=lld)
endif()

function(pinto_order_functions target order_file)
  if(PINTO_ORDER_FUNCTIONS)
    target_link_options(${target} PRIVATE -Wl,--gc-sections -Wl,--symbol-ordering-file=${order_file}
                                          -Wl,--no-warn-symbol-ordering)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${order_file})
  endif()
endfunction()
