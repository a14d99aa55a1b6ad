# Warnings for project code: on everywhere, errors only with OUTPOST_WERROR.
# Third-party headers are included as SYSTEM so their warnings stay out.
function(outpost_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE
            $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wnon-virtual-dtor>)
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
            target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wshadow=local>)
        endif()
        if(OUTPOST_WERROR)
            # GCC 12 reports false positives from inlined standard-library
            # code at -O3 (stringop-overflow, array-bounds, restrict); they
            # stay visible as warnings but do not fail the build.
            target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror
                -Wno-error=stringop-overflow -Wno-error=array-bounds -Wno-error=restrict>)
        endif()
    endif()
endfunction()
