//! The registry finds plugins by class name, simple name, pruned name and explicit alias, as
//! Kafka Connect does, and refuses unknown and ambiguous names with Kafka's messages.

use sluice_api::connector::ConnectorKind;
use sluice_builtin::datagen::DatagenConnector;
use sluice_builtin::{Error, PluginDesc, PluginRegistry, builtin_plugins};

#[test]
fn every_kafka_alias_finds_the_file_connectors() {
    let r = PluginRegistry::new(builtin_plugins());
    for name in [
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "FileStreamSourceConnector",
        "FileStreamSource",
    ] {
        let p = r.lookup(name).unwrap();
        assert_eq!(
            p.class,
            "org.apache.kafka.connect.file.FileStreamSourceConnector"
        );
        assert_eq!(p.kind, ConnectorKind::Source);
        assert!(p.new_source().is_some() && p.new_sink().is_none());
    }
    for name in [
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "FileStreamSinkConnector",
        "FileStreamSink",
    ] {
        let p = r.lookup(name).unwrap();
        assert_eq!(p.kind, ConnectorKind::Sink);
        assert!(p.new_sink().is_some());
    }
    for name in [
        "sluice.datagen",
        "DatagenConnector",
        "Datagen",
        "sluice.datagen.DatagenConnector",
    ] {
        assert_eq!(
            r.lookup(name).unwrap().class,
            "sluice.datagen.DatagenConnector"
        );
    }
    let file = r.lookup("FileStreamSource").unwrap();
    assert!(file.config_def.key("batch.size").is_some());
    assert!(!file.version.is_empty());
}

#[test]
fn unknown_and_ambiguous_names_are_refused() {
    let r = PluginRegistry::new(builtin_plugins());
    let e = r.lookup("filestreamsource").unwrap_err();
    assert!(matches!(e, Error::UnknownPlugin { .. }));
    assert!(
        e.to_string().contains(
            "Failed to find any class that implements Connector and which name matches filestreamsource"
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("org.apache.kafka.connect.file.FileStreamSinkConnector")
    );

    // Two plugins with the same simple name: the alias is ambiguous, the class names are not.
    let mut r = r.clone();
    r.extend([PluginDesc::source::<DatagenConnector>(
        "com.example.DatagenConnector",
    )]);
    let e = r.lookup("DatagenConnector").unwrap_err();
    assert!(matches!(e, Error::AmbiguousPlugin { .. }), "{e}");
    assert!(e.to_string().contains("com.example.DatagenConnector"));
    assert_eq!(
        r.lookup("com.example.DatagenConnector").unwrap().class,
        "com.example.DatagenConnector"
    );
    assert_eq!(
        r.lookup("sluice.datagen").unwrap().class,
        "sluice.datagen.DatagenConnector"
    );
}
