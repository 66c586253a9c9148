# Warnings are errors for everything Pinto compiles itself.
add_library(pinto_warnings INTERFACE)
target_compile_options(pinto_warnings INTERFACE -Wall -Wextra -Werror -Wshadow
                                                 -Wnon-virtual-dtor -Wimplicit-fallthrough)
