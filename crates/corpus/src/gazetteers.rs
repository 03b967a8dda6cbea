//! `gazetteers/`: place names from GeoNames (CC BY 4.0: attribute "GeoNames" wherever the data
//! or a model built from it is shipped). World knowledge, not labelled evaluation data.

use std::path::Path;

use crate::{read_maybe_gz, CorpusError};

/// The places file, relative to the shared data folder.
pub const PLACES: &str = "gazetteers/places.tsv.gz";

/// What a place name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlaceKind {
    City,
    Country,
    Continent,
    /// A first-level division (the US states).
    Admin1,
}

impl PlaceKind {
    pub fn parse(kind: &str) -> Option<PlaceKind> {
        match kind {
            "city" => Some(PlaceKind::City),
            "country" => Some(PlaceKind::Country),
            "continent" => Some(PlaceKind::Continent),
            "admin1" => Some(PlaceKind::Admin1),
            _ => None,
        }
    }
}

/// One row of `places.tsv.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub name: String,
    pub kind: PlaceKind,
    /// ISO 3166-1 alpha-2 code (may be empty).
    pub country: String,
    /// As GeoNames gives it (0 where unknown).
    pub population: u64,
}

/// Parses the text of `places.tsv.gz` (header `name kind country population geonameid`).
pub fn parse_places(text: &str) -> Result<Vec<Place>, CorpusError> {
    let mut places = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if number == 0 && line.starts_with("name\t") {
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 4 {
            return Err(CorpusError::format(
                "places",
                format!("line {}: {} fields", number + 1, fields.len()),
            ));
        }
        let Some(kind) = PlaceKind::parse(fields[1]) else {
            return Err(CorpusError::format(
                "places",
                format!("line {}: unknown kind {:?}", number + 1, fields[1]),
            ));
        };
        places.push(Place {
            name: fields[0].to_string(),
            kind,
            country: fields[2].to_string(),
            population: fields[3].trim().parse().unwrap_or(0),
        });
    }
    Ok(places)
}

/// Reads `gazetteers/places.tsv.gz` under the shared data folder `root`.
pub fn read_places(root: &Path) -> Result<Vec<Place>, CorpusError> {
    let path = root.join(PLACES);
    let bytes = read_maybe_gz(&path)?;
    let text = String::from_utf8_lossy(&bytes);
    parse_places(&text).map_err(|error| error.in_file(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_after_the_header() {
        let text = "name\tkind\tcountry\tpopulation\tgeonameid\n\
                    Moscow\tcity\tRU\t10381222\t524901\n\
                    Europe\tcontinent\t\t0\t6255148\n";
        let places = parse_places(text).expect("parses");
        assert_eq!(places.len(), 2);
        assert_eq!(places[0].kind, PlaceKind::City);
        assert_eq!(places[0].population, 10_381_222);
        assert_eq!(places[1].kind, PlaceKind::Continent);
        assert!(parse_places("x\tplanet\t\t0\t1\n").is_err());
    }

    #[test]
    fn reads_the_shared_places() {
        let root = crate::root_from_manifest(env!("CARGO_MANIFEST_DIR"));
        let places = read_places(&root).unwrap();
        assert_eq!(places.len(), 158_418);
        let count = |kind| places.iter().filter(|p| p.kind == kind).count();
        assert_eq!(
            [
                PlaceKind::City,
                PlaceKind::Country,
                PlaceKind::Continent,
                PlaceKind::Admin1
            ]
            .map(count),
            [157_953, 252, 162, 51]
        );
        let has = |name: &str, kind: PlaceKind, country: &str| {
            places
                .iter()
                .any(|p| p.name == name && p.kind == kind && p.country == country)
        };
        assert!(has("Moscow", PlaceKind::City, "RU"));
        assert!(has("Texas", PlaceKind::Admin1, "US"));
        assert!(has("Germany", PlaceKind::Country, "DE"));
        assert!(places
            .iter()
            .any(|p| p.name == "Moscow" && p.population == 10_381_222));
    }
}
