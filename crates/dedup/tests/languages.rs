//! Copy detection in other languages and scripts: for each, a short agency story, a
//! republication of it with the edits republishers make in that language (a dateline or
//! agency tag, letter and digit variants, diacritics, full- and half-width forms, a changed
//! word), and an unrelated story of the same kind. The copy joins the story; the unrelated
//! one does not. Then input that is not text: defined results, no panic, bounded work.
//!
//! The texts are written for these tests (no data set is copied).

use wirefold_dedup::{ClusterId, Config, Doc, EventKind, Index, text_similarity};

fn apply(ix: &mut Index, id: &str, body: &str) -> Option<ClusterId> {
    ix.apply(&Doc {
        id,
        body,
        ..Doc::default()
    })
    .cluster
}

/// The story, then its copy (joins), then the unrelated story (apart).
fn check(lang: &str, story: &str, copy: &str, other: &str) {
    let mut ix = Index::new(Config::default());
    let a = apply(&mut ix, "story", story);
    let b = apply(&mut ix, "copy", copy);
    let c = apply(&mut ix, "other", other);
    let cfg = Config::default();
    assert_eq!(
        a,
        b,
        "{lang}: the copy joins: {:?}",
        text_similarity(&cfg, story, copy)
    );
    assert_ne!(
        a,
        c,
        "{lang}: unrelated: {:?}",
        text_similarity(&cfg, story, other)
    );
    assert_ne!(b, c, "{lang}: unrelated to the copy");
    // The other order too: the copy first.
    let mut ix = Index::new(Config::default());
    let b = apply(&mut ix, "copy", copy);
    let a = apply(&mut ix, "story", story);
    assert_eq!(a, b, "{lang}: the story joins its copy");
}

#[test]
fn arabic() {
    check(
        "Arabic",
        "أعلنت وزارة الصحة في القاهرة يوم الثلاثاء عن افتتاح مستشفى جديد لعلاج الأطفال في محافظة \
         الجيزة بتكلفة تبلغ مئتي مليون جنيه. وقال وزير الصحة إن المستشفى سيضم ثلاثمئة سرير وقسما \
         خاصا لجراحة القلب، وإنه سيخدم أكثر من مليون طفل سنويا. وأضاف أن العمل في المشروع استمر \
         أربع سنوات بمشاركة شركات محلية ودولية، وأن المرحلة الثانية ستبدأ في عام 2026.",
        "القاهرة (رويترز) - أعلنت وزارة الصحّة في القاهرة يوم الثلاثاء عن افتتاح مستشفى جديد لعلاج \
         الأطفـال في محافظة الجيزة بتكلفة تبلغ مئتي مليون جنيه. وقال وزير الصحة إنّ المستشفى سيضمّ \
         ثلاثمئة سرير وقسما خاصا لجراحة القلب، وإنه سيخدم أكثر من مليون طفل كل عام. وأضاف أن العمل \
         في المشروع استمر أربع سنوات بمشاركة شركات محلية ودولية، وأن المرحلة الثانية ستبدأ في عام ٢٠٢٦.",
        "فاز فريق الأهلي على نظيره الزمالك بثلاثة أهداف مقابل هدف واحد في المباراة التي أقيمت مساء \
         الجمعة على استاد القاهرة الدولي أمام خمسين ألف متفرج. وسجل المهاجم الدولي هدفين في الشوط \
         الأول قبل أن يضيف زميله الهدف الثالث من ركلة جزاء، ليبتعد الفريق بصدارة الدوري بفارق \
         خمس نقاط عن أقرب منافسيه.",
    );
}

#[test]
fn urdu() {
    check(
        "Urdu",
        "وفاقی حکومت نے ملک بھر میں بجلی کے نرخوں میں کمی کا اعلان کیا ہے جس کا اطلاق اگلے ماہ سے \
         ہوگا۔ وزیر توانائی نے پریس کانفرنس میں بتایا کہ گھریلو صارفین کو فی یونٹ تین روپے کا ریلیف \
         دیا جائے گا اور صنعتی شعبے کے لیے بھی نئے پیکج کی منظوری دی گئی ہے۔ انہوں نے کہا کہ اس \
         فیصلے سے لاکھوں خاندانوں کو فائدہ پہنچے گا اور مہنگائی میں کمی آئے گی۔",
        // Arabic-keyboard yeh, kaf and heh, tatweel, a zero-width non-joiner, the agency tag
        // and a reworded clause.
        "اسلام آباد (اے پی پی) وفاقی حكومت نے ملک بھر میں بجلی کے نرخوں میں کمی کا اعلان کیا ہے \
         جس کا اطلاق اگلے مہینے سے ہوگا۔ وزیر توانائی نے پریس کانفرنس میں بتایا کہ گھریلو صارفین \
         کو فی یونٹ تین روپے کا ریلیـف دیا جائے گا اور صنعتی شعبے کے لیے بھی نئے پیکج کی منظوری \
         دی گئی ہے۔ انہوں نے کہا کہ اس فیصلے سے لاکھوں خاندانوں\u{200c} کو فائدہ پہنچے گا۔",
        "قومی کرکٹ ٹیم نے تیسرے ون ڈے میچ میں مہمان ٹیم کو سات وکٹوں سے شکست دے کر سیریز اپنے نام \
         کر لی۔ لاہور کے قذافی اسٹیڈیم میں کھیلے گئے میچ میں کپتان نے شاندار سنچری اسکور کی جبکہ \
         فاسٹ باؤلر نے چار کھلاڑیوں کو آؤٹ کیا۔ شائقین کی بڑی تعداد نے میچ دیکھا اور کھلاڑیوں کو \
         داد دی۔",
    );
}

#[test]
fn chinese() {
    check(
        "Chinese",
        "新华社北京3月5日电 国家统计局今天发布数据显示，今年前两个月全国规模以上工业增加值同比增长\
         百分之七点二，比去年全年加快一点五个百分点。其中，高技术制造业增长百分之十一，新能源汽车\
         产量增长百分之三十五。专家表示，工业生产稳中有升，经济运行开局良好，全年目标有望实现。",
        // Full-width digits, a reporter's credit, other punctuation.
        "（记者 王明）新华社北京３月５日电 国家统计局今天发布数据显示：今年前两个月全国规模以上工业\
         增加值同比增长百分之七点二，比去年全年加快一点五个百分点；其中，高技术制造业增长百分之\
         十一，新能源汽车产量增长百分之三十五。专家表示，工业生产稳中有升，经济运行开局良好。",
        "中央气象台今天发布暴雨蓝色预警，预计未来三天南方地区将出现强降雨天气，部分地区伴有雷暴\
         大风和冰雹。气象专家提醒，公众应注意防范城市内涝、山洪和地质灾害，尽量减少外出，驾车\
         出行时注意交通安全，农业部门要及时做好田间排水工作。",
    );
}

#[test]
fn japanese() {
    check(
        "Japanese",
        "気象庁によりますと、強い台風10号は今夜遅くに九州南部に接近し、あす朝にかけて上陸する\
         おそれがあります。九州では非常に激しい雨が降り、24時間の雨量は多いところで400ミリに\
         達する見込みです。気象庁は土砂災害や河川の氾濫に厳重に警戒するよう呼びかけています。",
        // Full-width digits, half-width katakana, a dropped closing sentence, a credit.
        "【共同】気象庁によりますと、強い台風１０号は今夜遅くに九州南部に接近し、あす朝にかけて\
         上陸するおそれがあります。九州では非常に激しい雨が降り、２４時間の雨量は多いところで\
         ４００ﾐﾘに達する見込みです。",
        "日本銀行は金融政策決定会合で、短期金利の誘導目標を据え置くことを決めました。総裁は記者\
         会見で、物価の先行きには不確実性が高いとして、賃金と物価の動向を慎重に見極める考えを\
         示しました。市場では追加利上げの時期をめぐる見方が分かれています。",
    );
}

#[test]
fn russian() {
    check(
        "Russian",
        "Центральный банк России в пятницу повысил ключевую ставку на два процентных пункта, до 18 \
         процентов годовых, сообщила пресс-служба регулятора. Решение принято из-за ускорения \
         инфляции, которая в сентябре превысила восемь процентов. Аналитики ожидают, что высокая \
         ставка сохранится ещё как минимум до середины следующего года.",
        "МОСКВА, 15 сен — РИА Новости. Центральный банк России в пятницу повысил ключевую ставку на \
         два процентных пункта, до 18% годовых, сообщила пресс-служба регулятора. Решение принято \
         из-за ускорения инфляции, которая в сентябре превысила 8 процентов. Аналитики ожидают, что \
         высокая ставка сохранится еще как минимум до середины следующего года.",
        "Сборная России по хоккею обыграла команду Финляндии со счетом 4:2 в матче Кубка Первого \
         канала, который прошел в субботу в Москве. Две шайбы забросил нападающий, еще по одной \
         записали на свой счет защитник и капитан команды. Следующий матч сборная проведет во \
         вторник против команды Швеции.",
    );
}

#[test]
fn spanish() {
    check(
        "Spanish",
        "El Gobierno de España aprobó este martes un plan de ayudas de 3.000 millones de euros para \
         los agricultores afectados por la sequía, según informó la ministra de Agricultura en rueda \
         de prensa. Las ayudas se repartirán entre más de 200.000 explotaciones y se pagarán antes \
         de final de año. Las organizaciones agrarias calificaron la medida de insuficiente.",
        // Accents lost, an agency dateline, a changed verb.
        "MADRID, 12 sep (EFE).- El Gobierno de Espana aprobo este martes un plan de ayudas de 3.000 \
         millones de euros para los agricultores afectados por la sequia, segun anuncio la ministra \
         de Agricultura en rueda de prensa. Las ayudas se repartiran entre mas de 200.000 \
         explotaciones y se pagaran antes de final de ano.",
        "El Real Madrid venció por dos goles a uno al Atlético en el derbi disputado el sábado en el \
         estadio Santiago Bernabéu ante más de setenta mil espectadores. El delantero brasileño \
         marcó los dos tantos en la segunda parte, después de que los rojiblancos se adelantaran en \
         el marcador con un gol de cabeza.",
    );
}

#[test]
fn join_events_say_why() {
    let mut ix = Index::new(Config::default());
    let story = "Центральный банк России в пятницу повысил ключевую ставку на два процентных пункта, \
                 до 18 процентов годовых. Решение принято из-за ускорения инфляции, которая в \
                 сентябре превысила восемь процентов.";
    ix.apply(&Doc {
        id: "a",
        body: story,
        ..Doc::default()
    });
    let out = ix.apply(&Doc {
        id: "b",
        body: &story.to_uppercase(),
        ..Doc::default()
    });
    let ev = &out.events[0];
    assert_eq!(ev.kind, EventKind::MemberAdded);
    let reason = ev.reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with("copy: "), "{reason}");
    let v = ix.verdicts();
    assert_eq!(v.len(), 1);
    assert!(v[0].rule.is_copy() && v[0].other == "a", "{v:?}");
}

#[test]
fn bad_input_gets_a_cluster_of_its_own() {
    let huge_word = "x".repeat(5_000_000);
    let huge_han = "\u{6c49}\u{5b57}".repeat(850_000);
    let huge_arabic = "\u{628}".repeat(2_500_000);
    let lossy = String::from_utf16_lossy(&[0xd800, 0xdc00, 0xdfff, 0x20, 0xd834]).repeat(1000);
    let marks = "\u{200f}\u{200d}\u{202b}\u{2066}\u{feff}\u{ad}".repeat(10_000);
    let bodies: Vec<(&str, String)> = vec![
        (
            "no-words",
            "!!! ??? ... --- *** \u{2605} \u{1f600} \u{3002}".repeat(500),
        ),
        ("huge-word", huge_word),
        ("huge-han", huge_han),
        ("huge-arabic", huge_arabic),
        ("lossy", lossy),
        ("marks", marks),
        (
            "mixed",
            "Putin встретился с Xi Jinping 习近平 in Moscow, قال الرئيس".repeat(3),
        ),
    ];
    let mut ix = Index::new(Config::default());
    let mut seen = std::collections::HashSet::new();
    for (id, body) in &bodies {
        let out = ix.apply(&Doc {
            id,
            body,
            ..Doc::default()
        });
        assert_eq!(out.events.len(), 1, "{id}");
        assert_eq!(out.events[0].kind, EventKind::Created, "{id}");
        assert!(seen.insert(out.cluster), "{id} has a cluster of its own");
    }
    // The token budget bounds what a huge doc leaves in the index.
    assert!(ix.stats().heap_bytes < 200_000, "{:?}", ix.stats());
}
