# cmake -DLUPDATE=... -DSOURCES_LIST=... -DTS_FILE=... -DSCRATCH_DIR=... -P check_translations.cmake
set(scratch "${SCRATCH_DIR}/outpost_fr_CA.check.ts")
configure_file("${TS_FILE}" "${scratch}" COPYONLY)
execute_process(
    COMMAND "${LUPDATE}" -no-obsolete -locations none "@${SOURCES_LIST}" -ts "${scratch}"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lupdate failed (${rc}):\n${out}\n${err}")
endif()
file(READ "${scratch}" ts)
string(REGEX MATCHALL "<source>[^<]*</source>[ \t\r\n]*<translation type=\"unfinished\"" unfinished "${ts}")
cmake_policy(SET CMP0007 NEW)
list(LENGTH unfinished count)
string(REGEX MATCHALL "<source>" sources "${ts}")
list(LENGTH sources total)
if(count GREATER 0)
    string(REPLACE ";" "\n" listing "${unfinished}")
    message(FATAL_ERROR "${count} of ${total} strings have no French translation; run the update_translations target and translate them in translations/outpost_fr_CA.ts:\n${listing}")
endif()
if(total LESS 50)
    message(FATAL_ERROR "lupdate found only ${total} strings; the source list is wrong")
endif()
message(STATUS "all ${total} strings are translated to French")
