# Every dependency is a Debian package found here; nothing is vendored or downloaded.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
pkg_check_modules(KISSFFT REQUIRED IMPORTED_TARGET kissfft-float)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)

# Optional peers, for cross-checks and side-by-side benchmarks only (never linked into linedsp).
pkg_check_modules(SPANDSP IMPORTED_TARGET spandsp)
pkg_check_modules(SPEEXDSP IMPORTED_TARGET speexdsp)
# DAHDI user headers (Debian package dahdi-source): the DAHDI device backend is built when found.
find_path(DAHDI_INCLUDE_DIR dahdi/user.h)
if(DAHDI_INCLUDE_DIR)
  set(LINEDSP_HAVE_DAHDI ON)
  message(STATUS "DAHDI headers: ${DAHDI_INCLUDE_DIR}")
else()
  message(STATUS "DAHDI headers not found: the DAHDI backend is not built")
endif()

# What every module may use; PUBLIC on the combined library.
set(LINEDSP_MODULE_DEPS Eigen3::Eigen PkgConfig::KISSFFT PkgConfig::SNDFILE PkgConfig::SOXR
    tomlplusplus::tomlplusplus nlohmann_json::nlohmann_json Threads::Threads)
