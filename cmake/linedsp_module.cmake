# linedsp_module(NAME): one OBJECT library from every .cpp in this folder and its kernels/ folder.
# SIMD kernels live in files named *_sse2.cpp, *_sse41.cpp, *_avx2.cpp, *_avx512.cpp; only those files
# get the instruction-set flags, so the library as a whole runs on any x86-64 and picks kernels at run
# time (dsp/simd.hpp).
set(LINEDSP_FLAGS_sse2 "-msse2")
set(LINEDSP_FLAGS_sse41 "-msse4.1")
set(LINEDSP_FLAGS_avx2 "-mavx2;-mfma")
set(LINEDSP_FLAGS_avx512 "-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-mavx2;-mfma")
# GCC 12's own avx512fintrin.h trips -Wmaybe-uninitialized (its _mm512_undefined_* self-initialise).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND LINEDSP_FLAGS_avx512 "-Wno-maybe-uninitialized")
endif()

function(linedsp_module name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp ${CMAKE_CURRENT_SOURCE_DIR}/kernels/*.cpp)
  if(ARGN)
    list(FILTER srcs EXCLUDE REGEX "${ARGN}")
  endif()
  foreach(src ${srcs})
    foreach(isa avx512 avx2 sse41 sse2)
      if(src MATCHES "_${isa}\\.cpp$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${LINEDSP_FLAGS_${isa}}")
        break()
      endif()
    endforeach()
  endforeach()
  if(NOT srcs)  # a module whose first sources have not landed yet
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp "// no sources yet\n")
    set(srcs ${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp)
  endif()
  add_library(${name} OBJECT ${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${LINEDSP_MODULE_DEPS})
endfunction()
