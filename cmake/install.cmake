# install rules: `cmake --install` puts
#   include/linedsp/<module>/*.hpp (+ kernels/ headers they include) and include/linedsp/linedsp.h (C API),
#   lib/liblinedsp.a and lib/liblinedsp.so.<version> (SONAME liblinedsp.so.<major>),
#   lib/cmake/linedsp/ (find_package(linedsp) -> linedsp::linedsp, the static library, with its
#   dependencies found again by linedsp-config.cmake; linedsp::linedsp_shared for the shared one),
#   lib/pkgconfig/linedsp.pc.
# Consumers put include/linedsp on their include path: C++ includes read "dsp/goertzel.hpp" as in the tree,
# C includes <linedsp.h>.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(LINEDSP_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/linedsp)
set(LINEDSP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/linedsp)

foreach(t linedsp_static linedsp_shared)
  target_include_directories(${t} INTERFACE $<INSTALL_INTERFACE:${LINEDSP_INSTALL_INCLUDEDIR}>)
endforeach()
set_target_properties(linedsp_static PROPERTIES EXPORT_NAME linedsp_static)
set_target_properties(linedsp_shared PROPERTIES EXPORT_NAME linedsp_shared)

install(DIRECTORY dsp codecs signals devices ports
        DESTINATION ${LINEDSP_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h" PATTERN "*.inl")
install(FILES capi/linedsp.h DESTINATION ${LINEDSP_INSTALL_INCLUDEDIR})

install(TARGETS linedsp_static linedsp_shared EXPORT linedspTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT linedspTargets NAMESPACE linedsp:: DESTINATION ${LINEDSP_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/linedsp-config.cmake.in
  ${PROJECT_BINARY_DIR}/linedsp-config.cmake INSTALL_DESTINATION ${LINEDSP_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/linedsp-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/linedsp-config.cmake ${PROJECT_BINARY_DIR}/linedsp-config-version.cmake
        DESTINATION ${LINEDSP_INSTALL_CMAKEDIR})

file(RELATIVE_PATH LINEDSP_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${PROJECT_SOURCE_DIR}/cmake/linedsp.pc.in ${PROJECT_BINARY_DIR}/linedsp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/linedsp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
