# What 'cmake --install' puts where (GNUInstallDirs; README.md "Install"
# lists the same files, and tests/integration/test_install.py compares).
# The Debian package installs these and, from debian/, the configuration
# in /etc, the state folder and the systemd units.

install(TARGETS arctic-digest RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(AD_SHARE ${CMAKE_INSTALL_DATADIR}/arctic-digest)
install(DIRECTORY templates/ DESTINATION ${AD_SHARE}/templates)
install(FILES examples/arctic-digest.conf DESTINATION ${AD_SHARE}/examples)
install(DIRECTORY examples/feeds/ DESTINATION ${AD_SHARE}/examples/feeds)
# The example configuration names ../subscribers/subscribers.csv.
install(FILES subscribers/subscribers.csv DESTINATION ${AD_SHARE}/subscribers)

install(FILES docs/arctic-digest.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/arctic-digest.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

install(FILES completion/arctic-digest.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME arctic-digest)

# The unsubscribe and sign-up CGIs, with the installed program as their
# default.
foreach(cgi unsubscribe.cgi subscribe.cgi)
  file(READ examples/${cgi} AD_CGI)
  string(REPLACE "\"/usr/local/bin/arctic-digest\""
         "\"${CMAKE_INSTALL_FULL_BINDIR}/arctic-digest\"" AD_CGI "${AD_CGI}")
  file(CONFIGURE OUTPUT ${cgi} CONTENT "${AD_CGI}" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${CMAKE_SOURCE_DIR}/examples/${cgi})
  install(PROGRAMS ${CMAKE_CURRENT_BINARY_DIR}/${cgi}
          DESTINATION lib/arctic-digest)
endforeach()
