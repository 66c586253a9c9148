# Third-party libraries that pintod links, as one target each: pinto::grpc (gRPC C++ and
# protobuf), pinto::yaml (yaml-cpp), pinto::sqlite (SQLite), pinto::netlink (libnl3), pinto::fmt.
#
# PINTO_STATIC_DEPS links them from their static archives instead of their shared objects. A
# daemon's resident memory at small scale is mostly mapped code: every shared object costs its
# headers, symbol tables, relocations and the pages its initialisers touch, and the kernel maps
# file pages 64 KiB (fault-around) or a whole page-cache folio at a time. Linked statically, only
# the object files that are used come in, and the linker can place the functions pintod runs
# next to each other (see cmake/code_layout.cmake). Off, everything links the shared objects
# (what a distribution package would do, so that a library's security update reaches pintod).
# Static, fmt is used header-only and pintod links libstdc++ statically too (pinto_static_runtime):
# libstdc++.so alone maps 1.5 MiB, its symbol tables read for every C++ symbol the archives use,
# and with fmt header-only no shared object left in pintod needs it (libbpf, libelf and zlib are C).
option(PINTO_STATIC_DEPS "Link gRPC, protobuf, OpenSSL, yaml-cpp, SQLite, libnl, fmt statically" ON)

find_package(fmt REQUIRED)
add_library(pinto::fmt INTERFACE IMPORTED GLOBAL)
if(PINTO_STATIC_DEPS)
  target_link_libraries(pinto::fmt INTERFACE fmt::fmt-header-only)
else()
  target_link_libraries(pinto::fmt INTERFACE fmt::fmt)
endif()

# An executable that links no C++ shared object may take libstdc++ and libgcc statically (a test
# linking the shared GoogleTest may not: two libstdc++ in one process).
function(pinto_static_runtime target)
  if(PINTO_STATIC_DEPS)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()

find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)

# An INTERFACE target named `name` for the pkg-config modules in ARGN: their static archives
# (lib<x>.a for every -l<x> of `pkg-config --static`, plain -l<x> where there is none, such as
# -lrt or -lpthread) or their shared objects.
function(pinto_pkg_dependency name)
  string(MAKE_C_IDENTIFIER ${name} var)
  if(NOT PINTO_STATIC_DEPS)
    pkg_check_modules(${var} REQUIRED IMPORTED_TARGET ${ARGN})
    add_library(${name} INTERFACE IMPORTED GLOBAL)
    target_link_libraries(${name} INTERFACE PkgConfig::${var})
    return()
  endif()
  pkg_check_modules(${var} REQUIRED ${ARGN})
  set(archives)
  foreach(lib IN LISTS ${var}_STATIC_LIBRARIES)
    string(MAKE_C_IDENTIFIER ${lib} lib_var)
    find_library(PINTO_ARCHIVE_${lib_var} NAMES lib${lib}.a HINTS ${${var}_STATIC_LIBRARY_DIRS})
    if(PINTO_ARCHIVE_${lib_var})
      list(APPEND archives ${PINTO_ARCHIVE_${lib_var}})
    else()
      list(APPEND archives -l${lib})
    endif()
  endforeach()
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  target_include_directories(${name} SYSTEM INTERFACE ${${var}_STATIC_INCLUDE_DIRS})
  target_compile_options(${name} INTERFACE ${${var}_STATIC_CFLAGS_OTHER})
  # Archives refer to each other in both directions (gRPC and abseil); a group resolves that
  # with any linker.
  target_link_libraries(${name} INTERFACE "-Wl,--start-group" ${archives} "-Wl,--end-group"
                                          Threads::Threads)
endfunction()

pinto_pkg_dependency(pinto::grpc grpc++ protobuf)
pinto_pkg_dependency(pinto::netlink libnl-3.0 libnl-route-3.0)

add_library(pinto::yaml INTERFACE IMPORTED GLOBAL)
add_library(pinto::sqlite INTERFACE IMPORTED GLOBAL)
if(PINTO_STATIC_DEPS)
  find_library(PINTO_ARCHIVE_yaml_cpp NAMES libyaml-cpp.a REQUIRED)
  find_library(PINTO_ARCHIVE_sqlite3 NAMES libsqlite3.a REQUIRED)
  get_target_property(yaml_includes yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
  if(yaml_includes)
    target_include_directories(pinto::yaml SYSTEM INTERFACE ${yaml_includes})
  endif()
  target_link_libraries(pinto::yaml INTERFACE ${PINTO_ARCHIVE_yaml_cpp})
  target_include_directories(pinto::sqlite SYSTEM INTERFACE ${SQLite3_INCLUDE_DIRS})
  target_link_libraries(pinto::sqlite INTERFACE ${PINTO_ARCHIVE_sqlite3} Threads::Threads
                                                ${CMAKE_DL_LIBS} m)
else()
  target_link_libraries(pinto::yaml INTERFACE yaml-cpp)
  target_link_libraries(pinto::sqlite INTERFACE SQLite::SQLite3)
endif()
