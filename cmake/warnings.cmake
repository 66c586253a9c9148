# Warnings are errors for everything Pinto compiles itself.
add_library(pinto_warnings INTERFACE)
target_compile_options(pinto_warnings INTERFACE -Wall -Wextra -Werror -Wshadow
                                                 -Wnon-virtual-dtor -Wimplicit-fallthrough
# GCC 12 flags every C++20 designated initializer that leaves a member to its default member
# initializer (`DecodeContext{.ebgp = true}`), which is exactly the idiom we want for contexts.
                                                 -Wno-missing-field-initializers)
