//! Personal-name nicknames: a small shipped table mapping common English short forms to one
//! canonical given name, so "Bob" and "Robert" compare as the same first name. Names missing
//! here simply compare as written.

/// (nickname, canonical) pairs, folded to lower-case ASCII.
const NICKNAMES: &[(&str, &str)] = &[
    ("abby", "abigail"),
    ("al", "albert"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("drew", "andrew"),
    ("tony", "anthony"),
    ("ben", "benjamin"),
    ("benny", "benjamin"),
    ("bill", "william"),
    ("billy", "william"),
    ("will", "william"),
    ("willy", "william"),
    ("liam", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("rob", "robert"),
    ("robbie", "robert"),
    ("bert", "robert"),
    ("cathy", "catherine"),
    ("kathy", "catherine"),
    ("kate", "catherine"),
    ("katie", "catherine"),
    ("katherine", "catherine"),
    ("kathryn", "catherine"),
    ("chris", "christopher"),
    ("topher", "christopher"),
    ("chuck", "charles"),
    ("charlie", "charles"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("davy", "david"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("ricky", "richard"),
    ("rich", "richard"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("ted", "edward"),
    ("ned", "edward"),
    ("liz", "elizabeth"),
    ("lizzie", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("eliza", "elizabeth"),
    ("frank", "francis"),
    ("fred", "frederick"),
    ("freddie", "frederick"),
    ("greg", "gregory"),
    ("hank", "henry"),
    ("harry", "henry"),
    ("jack", "john"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("jamie", "james"),
    ("jen", "jennifer"),
    ("jenny", "jennifer"),
    ("jeff", "jeffrey"),
    ("jerry", "gerald"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("josh", "joshua"),
    ("larry", "lawrence"),
    ("matt", "matthew"),
    ("meg", "margaret"),
    ("maggie", "margaret"),
    ("peggy", "margaret"),
    ("mike", "michael"),
    ("mikey", "michael"),
    ("mick", "michael"),
    ("nick", "nicholas"),
    ("pat", "patricia"),
    ("patty", "patricia"),
    ("trish", "patricia"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("ray", "raymond"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("sandy", "sandra"),
    ("steve", "steven"),
    ("stephen", "steven"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tim", "timothy"),
    ("vicky", "victoria"),
    ("val", "valerie"),
    ("walt", "walter"),
    ("zach", "zachary"),
];

/// The canonical given name of a folded first name (itself when the table does not know it).
pub fn canonical(first: &str) -> &str {
    NICKNAMES
        .iter()
        .find(|(nick, _)| *nick == first)
        .map_or(first, |(_, full)| full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_map_to_one_given_name_and_others_stay() {
        assert_eq!(canonical("bob"), "robert");
        assert_eq!(canonical("robert"), "robert");
        assert_eq!(canonical("liz"), "elizabeth");
        assert_eq!(canonical("zoe"), "zoe");
        assert_eq!(canonical(""), "");
    }

    #[test]
    fn the_table_has_no_chains_or_repeats() {
        for (nick, full) in NICKNAMES {
            assert!(
                NICKNAMES.iter().filter(|(n, _)| n == nick).count() == 1,
                "{nick} twice"
            );
            assert_eq!(canonical(full), *full, "{full} is itself a nickname");
        }
    }
}
